using DetrSharp.Torch;
using Xunit;

namespace DetrSharp.Torch.Tests.Core;

public class DisposeScopeTests
{
    [Fact]
    public void FreesEverythingMadeInsideExceptMovedOut()
    {
        Tensor kept, freed, outer;
        using (var s1 = torch.NewDisposeScope())
        {
            outer = torch.zeros(2);
            using (var s2 = torch.NewDisposeScope())
            {
                freed = torch.ones(2) + 1;
                kept = (torch.ones(2) * 3).MoveToOuterDisposeScope();
                Assert.True(s2.Count >= 2);
            }
            Assert.True(freed.IsInvalid);
            Assert.False(kept.IsInvalid);
            Assert.Equal(new float[] { 3, 3 }, kept.data<float>());
        }
        Assert.True(kept.IsInvalid);
        Assert.True(outer.IsInvalid);
    }

    [Fact]
    public void DetachedTensorsSurviveAndNestedScopesRestore()
    {
        Tensor t;
        using (torch.NewDisposeScope())
        {
            t = torch.ones(3).DetachFromDisposeScope();
        }
        Assert.False(t.IsInvalid);
        t.Dispose();
        Assert.True(t.IsInvalid);
        Assert.Null(DisposeScope.Current);
        var s = torch.NewDisposeScope();
        Assert.Same(s, DisposeScope.Current);
        s.Dispose();
        Assert.Null(DisposeScope.Current);
    }
}
