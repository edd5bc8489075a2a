namespace DetrSharp.Torch.Distributed;

/// <summary>A distributed run cannot start or continue: rendezvous failed, or a collective failed (a rank died or hung).</summary>
public sealed class DistributedException : Exception
{
    public DistributedException(string message, Exception? inner = null) : base(message, inner) { }
}
