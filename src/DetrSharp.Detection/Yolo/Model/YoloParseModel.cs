using DetrSharp.Torch;
using DetrSharp.Torch.Modules;

namespace DetrSharp.Detection.Yolo;

/// <summary>One built layer: the module, where its input comes from, and its output channels.</summary>
public sealed record YoloLayer(int Index, nn.Module Module, int[] From, bool SingleSource, string Type, long OutChannels);

/// <summary>
/// ultralytics parse_model: turns the YAML rows into modules, scaling repeats by depth (rounded half to
/// even, at least 1) and channels by width (capped by max_channels, rounded up to a multiple of 8).
/// </summary>
public static class YoloParseModel
{
    static readonly HashSet<string> ChannelModules = new() { "Conv", "Bottleneck", "SPPF", "C2f", "C2fCIB", "PSA", "SCDown" };
    static readonly HashSet<string> RepeatInside = new() { "C2f", "C2fCIB" };

    /// <summary>ceil(x / divisor) · divisor, as ultralytics make_divisible.</summary>
    public static long MakeDivisible(double x, long divisor) => (long)Math.Ceiling(x / divisor) * divisor;

    /// <summary>Repeats after depth scaling: max(round(n · depth), 1) when n &gt; 1 (Python's round, half to even).</summary>
    public static int ScaleRepeats(int n, double depth) => n > 1 ? Math.Max((int)Math.Round(n * depth, MidpointRounding.ToEven), 1) : n;

    /// <summary>Builds the layers of <paramref name="config"/> for <paramref name="nc"/> classes and <paramref name="ch"/> input channels.</summary>
    public static List<YoloLayer> Build(YoloConfig config, long nc, long ch = 3)
    {
        var chs = new List<long>();
        var layers = new List<YoloLayer>();
        long ChAt(int f) => f < 0 ? (chs.Count == 0 ? ch : chs[^(-f)]) : chs[f];
        for (int i = 0; i < config.Layers.Count; i++)
        {
            var spec = config.Layers[i];
            var args = spec.Args.Select(a => a is string s && s == "nc" ? (object?)nc : a).ToList();
            int n = ScaleRepeats(spec.Repeats, config.Depth);
            long c2;
            Func<nn.Module> make;
            string type = spec.Module;
            if (ChannelModules.Contains(type))
            {
                long c1 = ChAt(spec.From[0]);
                c2 = Long(args, 0, type, i);
                if (c2 != nc) c2 = MakeDivisible(Math.Min(c2, config.MaxChannels) * config.Width, 8);
                var rest = args.Skip(1).ToList();
                int inner = 1;
                if (RepeatInside.Contains(type)) { inner = n; n = 1; }
                long c2Fixed = c2;
                make = () => Block(type, c1, c2Fixed, inner, rest, i);
            }
            else if (type == "nn.Upsample")
            {
                c2 = ChAt(spec.From[0]);
                var scale = args.Count > 1 && args[1] != null ? Convert.ToDouble(args[1]) : 2.0;
                var mode = args.Count > 2 && args[2] is string m ? m : "nearest";
                if (mode != "nearest") throw new NotSupportedException($"YOLO layer {i}: nn.Upsample mode '{mode}' (only nearest)");
                if (args.Count > 0 && args[0] != null) throw new NotSupportedException($"YOLO layer {i}: nn.Upsample with a fixed size");
                make = () => nn.Upsample(scale_factor: new[] { scale, scale }, mode: InterpolationMode.Nearest);
            }
            else if (type == "Concat")
            {
                c2 = spec.From.Sum(ChAt);
                long dim = args.Count > 0 ? Long(args, 0, type, i) : 1;
                make = () => new Concat(dim);
            }
            else if (type is "Detect" or "v10Detect")
            {
                var levels = spec.From.Select(ChAt).ToArray();
                long classes = Long(args, 0, type, i);
                c2 = 0;
                make = () => type == "Detect" ? new Detect(classes, levels) : new V10Detect(classes, levels);
            }
            else throw new NotSupportedException($"YOLO layer {i}: module '{type}' is not supported");

            nn.Module module;
            if (n > 1)
            {
                var seq = nn.Sequential();
                for (int r = 0; r < n; r++) seq.append((nn.Module<Tensor, Tensor>)make());
                module = seq;
            }
            else module = make();
            layers.Add(new YoloLayer(i, module, spec.From, spec.SingleSource, type, c2));
            chs.Add(c2);
        }
        return layers;
    }

    static nn.Module Block(string type, long c1, long c2, int n, List<object?> a, int i) => type switch
    {
        "Conv" => new Conv(c1, c2, LongOr(a, 0, 1), LongOr(a, 1, 1), a.Count > 2 && a[2] != null ? Convert.ToInt64(a[2]) : null,
            LongOr(a, 3, 1), LongOr(a, 4, 1), BoolOr(a, 5, true)),
        "Bottleneck" => new Bottleneck(c1, c2, BoolOr(a, 0, true), LongOr(a, 1, 1), null, DoubleOr(a, 3, 0.5)),
        "C2f" => new C2f(c1, c2, n, BoolOr(a, 0, false), LongOr(a, 1, 1), DoubleOr(a, 2, 0.5)),
        "C2fCIB" => new C2fCIB(c1, c2, n, BoolOr(a, 0, false), BoolOr(a, 1, false), LongOr(a, 2, 1), DoubleOr(a, 3, 0.5)),
        "SPPF" => new SPPF(c1, c2, LongOr(a, 0, 5)),
        "PSA" => new PSA(c1, c2, DoubleOr(a, 0, 0.5)),
        "SCDown" => new SCDown(c1, c2, Long(a, 0, type, i), Long(a, 1, type, i)),
        _ => throw new NotSupportedException($"YOLO layer {i}: module '{type}' is not supported"),
    };

    static long Long(List<object?> a, int k, string type, int i)
        => k < a.Count && a[k] is long or int ? Convert.ToInt64(a[k])
            : throw new FormatException($"YOLO layer {i} ({type}): argument {k} must be an integer, got '{(k < a.Count ? a[k] : "nothing")}'");
    static long LongOr(List<object?> a, int k, long fallback) => k < a.Count && a[k] != null ? Convert.ToInt64(a[k]) : fallback;
    static double DoubleOr(List<object?> a, int k, double fallback) => k < a.Count && a[k] != null ? Convert.ToDouble(a[k]) : fallback;
    static bool BoolOr(List<object?> a, int k, bool fallback) => k < a.Count && a[k] is bool b ? b : fallback;
}
