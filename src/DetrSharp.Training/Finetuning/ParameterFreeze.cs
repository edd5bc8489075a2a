using System.Globalization;
using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>
/// <c>--freeze backbone|N</c> (model.freeze): the parameters under the family's prefixes (<see cref="IDetector.FreezePrefixes"/>)
/// get requires_grad false, so the optimizer (built from the trainable parameter groups) and the training step leave
/// them as they are.
/// </summary>
public static class ParameterFreeze
{
    /// <summary>Whether model.freeze is set, and its N (null for <c>backbone</c>); a <see cref="ConfigException"/> for anything else.</summary>
    public static (bool Set, int? Leading) Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return (false, null);
        var v = value.Trim();
        if (v.Equals("backbone", StringComparison.OrdinalIgnoreCase)) return (true, null);
        if (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1) return (true, n);
        throw new ConfigException($"model.freeze must be 'backbone' or a number of leading modules >= 1; got '{value}'");
    }

    /// <summary>Freezes what model.freeze names; returns the frozen parameters' names (empty when it is not set).</summary>
    public static IReadOnlyList<string> Apply(IDetector detector, string? value)
    {
        var (set, leading) = Parse(value);
        if (!set) return [];
        IReadOnlyList<string> prefixes;
        try { prefixes = detector.FreezePrefixes(leading); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ConfigException($"model.freeze {value}: {e.Message}", e);
        }
        var frozen = new List<string>();
        foreach (var (name, p) in detector.Module.named_parameters())
        {
            if (!prefixes.Any(x => name.StartsWith(x, StringComparison.Ordinal))) continue;
            p.requires_grad = false;
            frozen.Add(name);
        }
        if (frozen.Count == 0) throw new ConfigException($"model.freeze {value}: no parameter of the {detector.Family} model is under {string.Join(", ", prefixes)}");
        return frozen;
    }
}
