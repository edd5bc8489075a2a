using System.CommandLine;
using System.Diagnostics;
using DetrSharp.Data.Synthetic;

namespace DetrSharp.Cli.Commands;

/// <summary>`detrsharp synth --out DIR [--format coco|yolo] [--style standard|pastel] [--classes N] [--train N] [--val N] [--size S] [--seed K] [--force]`: writes the synthetic shapes dataset.</summary>
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
        var style = new Option<string>("--style")
        {
            Description = "standard: saturated colours on muted noise/gradient/stripe/checker backgrounds; pastel: pastel colours on dark dots/rings/hatching/blotches (the same shapes: pre-train on one look, fine-tune on the other)",
            DefaultValueFactory = _ => "standard",
        };
        style.AcceptOnlyFromAmong(Enum.GetValues<SyntheticStyle>().Select(SyntheticShapes.StyleName).ToArray());
        var classes = new Option<int>("--classes")
        {
            Description = "Categories listed (ids 1..N): the five shapes spread over them, the rest unused; 91 gives a COCO model's label space, to pre-train weights to fine-tune",
            DefaultValueFactory = _ => 5,
        };
        var cmd = new Command("synth", HelpText.WithExamples("Write the synthetic shapes detection dataset as a COCO folder (or in the YOLO layout)",
            "detrsharp synth --out data/shapes", "detrsharp synth --out data/shapes-yolo --format yolo",
            "detrsharp synth --out data/shapes-256 --train 2000 --val 200 --size 256 --seed 1",
            "detrsharp synth --out data/pastel91 --style pastel --classes 91 --seed 1")) { output, format, style, classes, train, val, size, seed, force };
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
                Style = SyntheticShapes.ParseStyle(parse.GetValue(style)!),
                Classes = parse.GetValue(classes),
            };
            var clock = Stopwatch.StartNew();
            var result = SyntheticShapes.Generate(root, options);
            Console.WriteLine(result.Generated
                ? $"wrote {result.TrainImages} train images ({result.TrainObjects} objects) and {result.ValImages} val images ({result.ValObjects} objects) to {root} in {clock.Elapsed.TotalSeconds:F1} s"
                : $"{root} already holds this dataset ({result.TrainImages} train, {result.ValImages} val images); nothing to do (--force regenerates)");
            Console.WriteLine(options.Format == SyntheticShapesFormat.Yolo
                ? $"classes: {ClassList(options)}; YOLO dataset: {SyntheticYoloLayout.DataYaml(root)}"
                : $"classes: {ClassList(options)}; annotations: {SyntheticShapes.AnnotationFile(root, "train")}, {SyntheticShapes.AnnotationFile(root, "val")}");
            return 0;
        });
        return cmd;
    }

    // the shapes with their category ids when those are not 1..5
    static string ClassList(SyntheticShapesOptions o) => o.Classes == SyntheticShapes.ClassNames.Count
        ? string.Join(", ", SyntheticShapes.ClassNames)
        : string.Join(", ", SyntheticShapes.ClassNames.Zip(SyntheticShapes.CategoryIds(o.Classes), (n, id) => $"{n} (id {id})")) + $" of {o.Classes} categories (the others unused)";
}
