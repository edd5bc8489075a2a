using System.Diagnostics;
using DetrSharp.Detection.Dino;
using DetrSharp.Detection.Tests.Dino;
using DetrSharp.Detection.Tests.Losses;
using DetrSharp.Detection.Tests.Matching;
using DetrSharp.Detection.Tests.Support;
using DetrSharp.Torch;

// The fixture tests of three kinds, each case called as xunit would, on DETRSHARP_TEST_DEVICE (scripts/gpu-check.sh
// sets cuda): DETR's criterion with its matcher (losses, matchings, gradients), DINO's multi-scale deformable attention
// (output and gradients, both sampling paths) and YOLO's task-aligned assigner. Prints one line per case and
// "N passed, N failed"; exits 1 when any failed.
var device = TestDevice.Current;
Console.WriteLine($"fixture checks on {device} (DETRSHARP_TEST_DEVICE={Environment.GetEnvironmentVariable("DETRSHARP_TEST_DEVICE") ?? "unset"})");
if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
{
    Console.Error.WriteLine("error: DETRSHARP_TEST_DEVICE asks for CUDA but this libtorch sees no CUDA device (is the native shim built against a CUDA libtorch?)");
    return 2;
}
int passed = 0, failed = 0;
void Check(string name, Action test)
{
    var clock = Stopwatch.StartNew();
    try
    {
        test();
        passed++;
        Console.WriteLine($"PASS {name} ({clock.Elapsed.TotalSeconds:0.00} s)");
    }
    catch (Exception e)
    {
        failed++;
        Console.WriteLine($"FAIL {name}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
    }
}
foreach (var row in CriterionFixtureTests.Cases)
    Check($"detr_criterion {row[0]}", () => new CriterionFixtureTests().DetrSetCriterion((string)row[0]));
foreach (var row in DinoMsdaFixtureTests.Cases())
    Check($"dino_msda {row[0]} ({row[1]})", () => new DinoMsdaFixtureTests().OutputAndGradientsMatchReference((string)row[0], (MsDeformSamplingMode)row[1]));
foreach (var row in YoloTalFixtureTests.Cases)
    Check($"yolo_tal {row[0]}", () => new YoloTalFixtureTests().MatchesReference((string)row[0]));
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;
