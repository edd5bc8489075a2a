using DetrSharp.TestSupport;
using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

/// <summary>
/// torch.set_num_threads sets libtorch's intra-op threads and OpenBLAS's pool (Debian's libtorch multiplies float32
/// matrices through OpenBLAS, whose pthreads at::set_num_threads does not reach), so "--threads 1" means one thread.
/// </summary>
[Collection(GlobalGenerator.Collection)]
public class ThreadsTests
{
    [Fact]
    public void SetNumThreadsSetsLibtorchsAndOpenBlassThreads()
    {
        int before = torch.get_num_threads();
        try
        {
            foreach (var n in new[] { 1, 2 })
            {
                torch.set_num_threads(n);
                Assert.Equal(n, torch.get_num_threads());
                int blas = torch.get_blas_num_threads();
                if (blas != -1) Assert.Equal(n, blas);
            }
            if (File.Exists("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"))
                Assert.NotEqual(-1, torch.get_blas_num_threads());   // Debian's libtorch with OpenBLAS: it is found
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void ANonPositiveCountIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => torch.set_num_threads(0));
        Assert.Contains("thread count must be positive", e.Message);
    }
}
