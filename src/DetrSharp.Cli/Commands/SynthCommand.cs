using System.CommandLine;
using System.Diagnostics;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Cli.Commands;

/// <summary>`detrsharp synth --out DIR [--format coco|yolo] [--train N] [--val N] [--size S] [--seed K] [--force]`: writes the synthetic shapes dataset.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Dataset folder to write (created if needed)", Required = true };
        var train = new Option<int>("--train") { Description = "Training images", DefaultValueFactory = _ => 1000 };
        var val = new Option<int>("--val") { Description = "Validation images", DefaultValueFactory = _ => 200 };
        var size = new Option<int>("--size") { Description = "Image side in pixels", DefaultValueFactory = _ => 128 };
        // the seed `detrsharp train` uses (runtime.seed), so `synth` makes the set that `train` would
        var seed = new Option<long>("--seed") { Description = "Random seed (same seed and settings give identical files); default: train's runtime.seed", DefaultValueFactory = _ => new DetrSharp.Training.RuntimeConfig().Seed };
        var force = new Option<bool>("--force") { Description = "Regenerate even if the folder already holds this or another dataset" };
        var format = new Option<string>("--format") { Description = "coco: annotations/instances_{train,val}.json + {train,val}/; yolo: data.yaml + images/{train,val} + labels/{train,val} (the same images)", DefaultValueFactory = _ => "coco" };
        format.AcceptOnlyFromAmong("coco", "yolo");
        var cmd = new Command("synth", "Write the synthetic shapes detection dataset as a COCO folder (or in the YOLO layout)") { output, format, train, val, size, seed, force };
        cmd.SetAction(parse =>
        {
            var root = parse.GetValue(output)!;
            var options = new SyntheticShapesOptions
            {
                TrainImages = parse.GetValue(train),
                ValImages = parse.GetValue(val),
                ImageSize = parse.GetValue(size),
                Seed = parse.GetValue(seed),
                Force = parse.GetValue(force),
                Format = parse.GetValue(format) == "yolo" ? SyntheticShapesFormat.Yolo : SyntheticShapesFormat.Coco,
            };
            var clock = Stopwatch.StartNew();
            var result = SyntheticShapes.Generate(root, options);
            Console.WriteLine(result.Generated
                ? $"wrote {result.TrainImages} train images ({result.TrainObjects} objects) and {result.ValImages} val images ({result.ValObjects} objects) to {root} in {clock.Elapsed.TotalSeconds:F1} s"
                : $"{root} already holds this dataset ({result.TrainImages} train, {result.ValImages} val images); nothing to do (--force regenerates)");
            Console.WriteLine(options.Format == SyntheticShapesFormat.Yolo
                ? $"classes: {string.Join(", ", SyntheticShapes.ClassNames)}; YOLO dataset: {SyntheticYoloLayout.DataYaml(root)}"
                : $"classes: {string.Join(", ", SyntheticShapes.ClassNames)}; annotations: {SyntheticShapes.AnnotationFile(root, "train")}, {SyntheticShapes.AnnotationFile(root, "val")}");
            return 0;
        });
        return cmd;
    }
}
