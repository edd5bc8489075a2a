using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

/// <summary>Retaining freed host memory: switchable both ways, and large tensors stay correct either way.</summary>
public class HostMemoryTests
{
    [Fact]
    public void RetainingFreedMemoryCanBeSwitchedOffAndOnAndLargeTensorsStayCorrect()
    {
        bool glibc = OperatingSystem.IsLinux();
        try
        {
            foreach (bool retain in new[] { false, true })
            {
                Assert.Equal(glibc, torch.set_host_memory_retained(retain));
                for (int round = 0; round < 3; round++)
                {
                    using var scope = torch.NewDisposeScope();
                    var big = torch.full(new long[] { 5_000_000 }, round + 1.5f);     // 20 MB, above glibc's mmap threshold
                    var sum = big.sum().item<float>();
                    Assert.Equal(5_000_000 * (round + 1.5f), sum, 1e-3f * sum);
                }
            }
        }
        finally
        {
            torch.set_host_memory_retained(true);  // the process default
        }
    }
}
