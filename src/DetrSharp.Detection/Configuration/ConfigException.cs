namespace DetrSharp.Detection.Configuration;

/// <summary>A configuration problem, worded for the user: the message names the key (<c>model.nheads</c>) and the value.</summary>
public sealed class ConfigException : ArgumentException
{
    public ConfigException(string message) : base(message) { }
    public ConfigException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Throws a <see cref="ConfigException"/> with <paramref name="message"/> unless <paramref name="ok"/>.</summary>
    public static void Check(bool ok, string message)
    {
        if (!ok) throw new ConfigException(message);
    }

    /// <summary>A finite, non-negative number (NaN and infinities are refused).</summary>
    public static void NonNegative(double value, string key) => Check(double.IsFinite(value) && value >= 0, $"{key} must be a finite number >= 0, got {value}");

    /// <summary>A finite, positive number.</summary>
    public static void Positive(double value, string key) => Check(double.IsFinite(value) && value > 0, $"{key} must be a finite number > 0, got {value}");

    /// <summary>One of the listed values.</summary>
    public static void OneOf(string? value, string key, params string[] valid)
        => Check(value != null && valid.Contains(value), $"{key} must be one of {string.Join(", ", valid)}; got \"{value}\"");
}
