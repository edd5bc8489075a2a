using DetrSharp.Data.Synthetic;

namespace DetrSharp.Data.Tests.Synthetic;

public class RandomTests
{
    [Fact]
    public void SplitMix64MatchesTheReferenceImplementation()
    {
        // Vigna's splitmix64.c seeded with 1234567
        var sm = new SplitMix64(1234567);
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL], new[] { sm.Next(), sm.Next(), sm.Next() });
    }

    [Fact]
    public void Xoshiro256StarStarMatchesTheReferenceImplementation()
    {
        // xoshiro256starstar.c with its state filled by splitmix64 seeded with 42
        var x = new Xoshiro256StarStar(42);
        Assert.Equal([1546998764402558742UL, 6990951692964543102UL, 12544586762248559009UL, 17057574109182124193UL],
            new[] { x.NextUInt64(), x.NextUInt64(), x.NextUInt64(), x.NextUInt64() });
    }

    [Fact]
    public void BoundedDrawsStayInRangeAndCoverIt()
    {
        var x = new Xoshiro256StarStar(7);
        var counts = new int[6];
        for (int i = 0; i < 60000; i++) counts[x.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 9000, 11000));
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(x.NextInt(-3, 3), -3, 3);
            var d = x.NextDouble();
            Assert.True(d >= 0 && d < 1);
            var (a, b, c) = x.NextNoise3(5);
            Assert.InRange(a, -5, 5); Assert.InRange(b, -5, 5); Assert.InRange(c, -5, 5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Xoshiro256StarStar(1).NextInt(0));
    }

    [Fact]
    public void CombinedSeedsDifferPerComponent()
    {
        Assert.NotEqual(SplitMix64.Combine(1, 2, 3), SplitMix64.Combine(1, 3, 2));
        Assert.NotEqual(SplitMix64.Combine(1, 2, 3), SplitMix64.Combine(2, 2, 3));
        Assert.Equal(SplitMix64.Combine(1, 2, 3), SplitMix64.Combine(1, 2, 3));
    }
}
