using System.Collections;
using System.Numerics;

namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>
    /// Reads the values of an optimizer or scheduler state dict whatever produced it: this library's
    /// state_dict() (Dictionary, List, long, double, bool, Tensor) or a checkpoint reader (any dictionary or
    /// key/value sequence, ints of any width, tuples as arrays, numbers as 0-d tensors). Every failure names
    /// the entry (<c>where</c>) and what was found.
    /// </summary>
    internal static class StateValue
    {
        /// <summary>The entries of a dictionary-like value, in its order.</summary>
        public static IReadOnlyList<KeyValuePair<object?, object?>> Entries(object? value, string where)
        {
            var result = new List<KeyValuePair<object?, object?>>();
            switch (value)
            {
                case IDictionary d:
                    foreach (DictionaryEntry e in d) result.Add(new(e.Key, e.Value));
                    break;
                case IEnumerable<KeyValuePair<object?, object?>> kv:
                    result.AddRange(kv);
                    break;
                case IEnumerable<KeyValuePair<string, object?>> kv:
                    foreach (var e in kv) result.Add(new(e.Key, e.Value));
                    break;
                case IEnumerable<KeyValuePair<long, object?>> kv:
                    foreach (var e in kv) result.Add(new(e.Key, e.Value));
                    break;
                case IEnumerable<KeyValuePair<int, object?>> kv:
                    foreach (var e in kv) result.Add(new(e.Key, e.Value));
                    break;
                default:
                    throw new ArgumentException($"{where} must be a dictionary, got {Describe(value)}");
            }
            return result;
        }

        /// <summary>The entries of a dictionary-like value keyed by strings.</summary>
        public static Dictionary<string, object?> StringKeyed(object? value, string where)
        {
            var result = new Dictionary<string, object?>();
            foreach (var (k, v) in Entries(value, where))
                result[k as string ?? throw new ArgumentException($"{where} has a key that is not a string: {Describe(k)}")] = v;
            return result;
        }

        public static object? Require(IReadOnlyDictionary<string, object?> d, string key, string where)
            => d.TryGetValue(key, out var v) ? v : throw new ArgumentException($"{where} has no '{key}' entry");

        public static double ToDouble(object? value, string where) => value switch
        {
            double d => d,
            float f => f,
            long l => l,
            int i => i,
            short s => s,
            BigInteger b => (double)b,
            Tensor t => Scalar(t, where).item<double>(),
            _ => throw new ArgumentException($"{where} must be a number, got {Describe(value)}"),
        };

        public static long ToLong(object? value, string where) => value switch
        {
            long l => l,
            int i => i,
            short s => s,
            BigInteger b when b >= long.MinValue && b <= long.MaxValue => (long)b,
            double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => (long)d,
            float f when f == MathF.Floor(f) && Math.Abs(f) < 9.2e18f => (long)f,
            Tensor t => ToLong(Scalar(t, where).item<double>(), where),
            _ => throw new ArgumentException($"{where} must be an integer, got {Describe(value)}"),
        };

        public static bool ToBool(object? value, string where) => value switch
        {
            bool b => b,
            long l when l is 0 or 1 => l == 1,
            int i when i is 0 or 1 => i == 1,
            _ => throw new ArgumentException($"{where} must be a bool, got {Describe(value)}"),
        };

        /// <summary>The items of a list or tuple.</summary>
        public static IReadOnlyList<object?> ToList(object? value, string where)
        {
            if (value is null or string or IDictionary || value is not IEnumerable e)
                throw new ArgumentException($"{where} must be a list, got {Describe(value)}");
            return e.Cast<object?>().ToList();
        }

        public static List<double> ToDoubles(object? value, string where)
            => ToList(value, where).Select((v, i) => ToDouble(v, $"{where}[{i}]")).ToList();

        public static Tensor? ToTensorOrNull(object? value, string where) => value switch
        {
            null => null,
            Tensor t => t,
            _ => throw new ArgumentException($"{where} must be a tensor or None, got {Describe(value)}"),
        };

        static Tensor Scalar(Tensor t, string where)
            => t.numel() == 1 ? t : throw new ArgumentException($"{where} must be a number, got a tensor of shape [{string.Join(", ", t.shape)}]");

        public static string Describe(object? value) => value switch
        {
            null => "None",
            Tensor t => $"a tensor of shape [{string.Join(", ", t.shape)}]",
            string s => $"the string \"{s}\"",
            _ => $"a {value.GetType().Name} ({value})",
        };
    }
}
