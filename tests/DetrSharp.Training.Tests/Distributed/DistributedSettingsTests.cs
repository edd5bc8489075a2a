using DetrSharp.Detection.Configuration;
using DetrSharp.Training.Distributed;
using Xunit;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>torchrun's variables (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) decide a process's place in a run.</summary>
public class DistributedSettingsTests
{
    static Func<string, string?> Env(params (string k, string v)[] vars) => k => vars.FirstOrDefault(v => v.k == k).v;

    [Fact]
    public void TorchrunVariablesAreHonoured()
    {
        var s = DistributedSettings.FromEnvironment(Env(("WORLD_SIZE", "4"), ("RANK", "3"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "10.0.0.7"), ("MASTER_PORT", "29511")));
        Assert.Equal(new DistributedSettings(3, 4, 1, "10.0.0.7", 29511), s);
        Assert.False(s!.IsMain);
        Assert.False(s.IsLoopback);
        Assert.True(DistributedSettings.FromEnvironment(Env(("WORLD_SIZE", "2"), ("RANK", "0"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "1")))!.IsLoopback);
    }

    [Fact]
    public void UnderTorchrunsAgentStoreEveryRankConnectsUnderTheAttemptsPrefix()
    {
        var vars = new[] { ("WORLD_SIZE", "2"), ("RANK", "0"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29500"),
            ("TORCHELASTIC_USE_AGENT_STORE", "True"), ("TORCHELASTIC_RESTART_COUNT", "2") };
        var s = DistributedSettings.FromEnvironment(Env(vars))!;
        Assert.True(s.IsMain);
        Assert.False(s.HostsStore); // the agent listens on MASTER_PORT already
        Assert.Equal("/worker/attempt_2", s.StorePrefix);
        var own = DistributedSettings.FromEnvironment(Env(vars[..4]))!;
        Assert.True(own.HostsStore);
        Assert.Null(own.StorePrefix);
    }

    [Fact]
    public void NoWorldSizeOrOneIsASingleProcess()
    {
        Assert.Null(DistributedSettings.FromEnvironment(Env()));
        Assert.Null(DistributedSettings.FromEnvironment(Env(("WORLD_SIZE", "1"), ("RANK", "0"))));
    }

    [Theory]
    [InlineData("2", "2", "127.0.0.1", "29500", "RANK must be below WORLD_SIZE")]
    [InlineData("2", "x", "127.0.0.1", "29500", "RANK must be an integer")]
    [InlineData("2", "1", null, "29500", "MASTER_ADDR is not set")]
    [InlineData("2", "1", "127.0.0.1", null, "MASTER_PORT is not set")]
    [InlineData("2", "1", "127.0.0.1", "70000", "MASTER_PORT must be in [1, 65535]")]
    [InlineData("zero", "0", "127.0.0.1", "29500", "WORLD_SIZE must be an integer")]
    public void BadVariablesAreNamed(string world, string rank, string? addr, string? port, string message)
    {
        var vars = new List<(string, string)> { ("WORLD_SIZE", world), ("RANK", rank) };
        if (addr != null) vars.Add(("MASTER_ADDR", addr));
        if (port != null) vars.Add(("MASTER_PORT", port));
        var e = Assert.Throws<ConfigException>(() => DistributedSettings.FromEnvironment(Env(vars.ToArray())));
        Assert.Contains(message, e.Message);
    }
}
