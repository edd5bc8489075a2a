using DetrSharp.Data.Coco;
using DetrSharp.Data.Loading;
using DetrSharp.Data.Tests.Support;
using DetrSharp.Data.Transforms;
using Xunit;

namespace DetrSharp.Data.Tests.Loading;

/// <summary>
/// The training loader in a distributed run has torch's DistributedSampler semantics: the epoch's shuffled order is
/// the same on every rank, padded by repeating its start to a multiple of the world size, and each rank takes every
/// world-size-th position from its own; together the ranks' batch k is one process's batch k at world × the batch size.
/// </summary>
public class DistributedShareTests
{
    static DataLoader Loader(CocoDataset ds, int rank, int world, int batch = 2, bool shuffle = true)
        => new(ds, DetrTransforms.Val(32, 64), new DataLoaderOptions { BatchSize = batch, Shuffle = shuffle, Seed = 3, Rank = rank, WorldSize = world });

    static CocoDataset Dataset(CocoFolder folder, int images)
    {
        folder.Category(1, "a");
        for (int i = 1; i <= images; i++) folder.Image(i, 8, 8);
        return folder.Load();
    }

    [Fact]
    public void RanksShareTheEpochPaddedToEqualLength()
    {
        using var folder = new CocoFolder();
        var ds = Dataset(folder, 7);
        var whole = Loader(ds, 0, 1).Order(4);
        var shares = Enumerable.Range(0, 3).Select(r => Loader(ds, r, 3).Order(4)).ToArray();
        Assert.All(shares, s => Assert.Equal(3, s.Length)); // ceil(7 / 3)
        var padded = whole.Concat(whole.Take(2)).ToArray(); // 9 = 7 + the first 2 again
        for (int r = 0; r < 3; r++)
            Assert.Equal(padded.Where((_, i) => i % 3 == r), shares[r]);
        Assert.NotEqual(whole, Loader(ds, 0, 1).Order(5)); // shuffled by the epoch
        Assert.Equal(2, Loader(ds, 1, 3).BatchesPerEpoch);
    }

    [Fact]
    public void RanksTogetherLoadOneProcessBatchOfWorldTimesTheSize()
    {
        using var folder = new CocoFolder();
        var ds = Dataset(folder, 8);
        var whole = Loader(ds, 0, 1, batch: 4).Order(0);
        var r0 = Loader(ds, 0, 2, batch: 2).Order(0);
        var r1 = Loader(ds, 1, 2, batch: 2).Order(0);
        for (int k = 0; k < 2; k++)
            Assert.Equal(whole.Skip(4 * k).Take(4).Order(), r0.Skip(2 * k).Take(2).Concat(r1.Skip(2 * k).Take(2)).Order());
    }

    [Fact]
    public void PaddingPositionsAreTheRepeatedStartEachOnItsRank()
    {
        using var folder = new CocoFolder();
        var ds = Dataset(folder, 7);
        // unshuffled, 3 ranks: 0 3 6 | 1 4 0 | 2 5 1: ranks 1 and 2 load positions 0 and 1 again to pad
        Assert.Equal([0, 3, 6], Loader(ds, 0, 3, shuffle: false).Order(0));
        Assert.Empty(Loader(ds, 0, 3, shuffle: false).PaddingPositions(0));
        Assert.Equal([0], Loader(ds, 1, 3, shuffle: false).PaddingPositions(0));
        Assert.Equal([1], Loader(ds, 2, 3, shuffle: false).PaddingPositions(0));
        // shuffled: the padding is the epoch order's start, and every rank's share less its padding covers the set once
        var shares = Enumerable.Range(0, 3).Select(r => Loader(ds, r, 3)).ToArray();
        var own = shares.SelectMany(l => l.Order(2).Take(l.Order(2).Length - l.PaddingPositions(2).Length)).Order();
        Assert.Equal(Enumerable.Range(0, 7), own);
        Assert.Empty(Loader(ds, 0, 1).PaddingPositions(0));
    }

    [Fact]
    public void ARankOutsideTheWorldIsRefused()
    {
        using var folder = new CocoFolder();
        var ds = Dataset(folder, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Loader(ds, 2, 2));
        Assert.Contains("rank must be in [0, world size 2)", e.Message);
    }
}
