using DetrSharp.Torch;

namespace DetrSharp.Detection.Tests.Support;

/// <summary>
/// The device the fixture tests put their inputs and modules on: DETRSHARP_TEST_DEVICE (cpu, cuda, cuda:N), the CPU
/// when unset (as in CI). scripts/gpu-check.sh sets it to run the detr_criterion, dino_msda and yolo_tal fixtures on a
/// GPU (through tests/DetrSharp.GpuCheck); results are copied to the CPU only to be compared.
/// </summary>
public static class TestDevice
{
    public static Device Current { get; } = Environment.GetEnvironmentVariable("DETRSHARP_TEST_DEVICE") is { Length: > 0 } d ? Device.Parse(d) : Device.CPU;
}
