using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training.Distributed;

/// <summary>
/// Where this process sits in a distributed run, from torchrun's environment variables: WORLD_SIZE, RANK,
/// LOCAL_RANK, MASTER_ADDR and MASTER_PORT (`detrsharp train --nproc N` sets the same ones for its workers).
/// </summary>
/// <param name="AgentStore">torchrun's agent already listens on MASTER_ADDR:MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE):
/// every rank, rank 0 included, connects to it, with its keys under "/worker/attempt_N" (N: TORCHELASTIC_RESTART_COUNT)</param>
public sealed record DistributedSettings(int Rank, int WorldSize, int LocalRank, string MasterAddr, int MasterPort, bool AgentStore = false,
    int Attempt = 0)
{
    public bool IsMain => Rank == 0;

    /// <summary>Whether this process hosts the store (rank 0, unless torchrun's agent does).</summary>
    public bool HostsStore => IsMain && !AgentStore;

    /// <summary>The prefix of this run's keys in the store (torch's for an agent store; none otherwise).</summary>
    public string? StorePrefix => AgentStore ? $"/worker/attempt_{Attempt}" : null;

    /// <summary>The run's settings, or null when WORLD_SIZE is unset or 1 (a single process).</summary>
    /// <exception cref="ConfigException">a variable that is malformed or out of range, named</exception>
    public static DistributedSettings? FromEnvironment(Func<string, string?>? get = null)
    {
        get ??= Environment.GetEnvironmentVariable;
        var worldText = get("WORLD_SIZE");
        if (string.IsNullOrWhiteSpace(worldText)) return null;
        int world = Int(get, "WORLD_SIZE", 1);
        if (world == 1) return null;
        int rank = Int(get, "RANK", 0);
        ConfigException.Check(rank < world, $"the environment variable RANK must be below WORLD_SIZE ({world}); got {rank}");
        int local = string.IsNullOrWhiteSpace(get("LOCAL_RANK")) ? rank : Int(get, "LOCAL_RANK", 0);
        var addr = get("MASTER_ADDR");
        ConfigException.Check(!string.IsNullOrWhiteSpace(addr), $"WORLD_SIZE is {world} but MASTER_ADDR is not set (the address of rank 0; torchrun sets it)");
        ConfigException.Check(!string.IsNullOrWhiteSpace(get("MASTER_PORT")), $"WORLD_SIZE is {world} but MASTER_PORT is not set (rank 0's port; torchrun sets it)");
        int port = Int(get, "MASTER_PORT", 1);
        ConfigException.Check(port <= 65535, $"the environment variable MASTER_PORT must be in [1, 65535]; got {port}");
        bool agent = get("TORCHELASTIC_USE_AGENT_STORE") == "True";
        int attempt = string.IsNullOrWhiteSpace(get("TORCHELASTIC_RESTART_COUNT")) ? 0 : Int(get, "TORCHELASTIC_RESTART_COUNT", 0);
        return new DistributedSettings(rank, world, local, addr!.Trim(), port, agent, attempt);
    }

    static int Int(Func<string, string?> get, string name, int min)
    {
        var text = get(name);
        if (!int.TryParse(text, out int v) || v < min)
            throw new ConfigException($"the environment variable {name} must be an integer ≥ {min}; got \"{text}\"");
        return v;
    }

    /// <summary>Whether the master is this machine's loopback (then Gloo binds to 127.0.0.1 too).</summary>
    public bool IsLoopback => MasterAddr is "localhost" or "::1" || MasterAddr.StartsWith("127.", StringComparison.Ordinal);
}
