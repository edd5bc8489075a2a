using DetrSharp.Torch;

namespace DetrSharp.Detection.Yolo;

/// <summary>
/// YOLOv10 Attention (inside PSA): 1×1 Conv to q, k, v per head (key_dim = head_dim · attn_ratio), softmax
/// attention over the H·W positions, plus a depthwise 3×3 positional Conv of v (pe), then proj.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor>
{
    readonly Conv _qkv, _proj, _pe;

    public Attention(long dim, long numHeads = 8, double attnRatio = 0.5) : base(nameof(Attention))
    {
        if (numHeads <= 0) throw new ArgumentException($"Attention: num_heads must be positive, got {numHeads} (dim {dim})", nameof(numHeads));
        NumHeads = numHeads;
        HeadDim = dim / numHeads;
        KeyDim = (long)(HeadDim * attnRatio);
        Scale = Math.Pow(KeyDim, -0.5);
        long h = dim + KeyDim * numHeads * 2;
        _qkv = register_module("qkv", new Conv(dim, h, 1, act: false));
        _proj = register_module("proj", new Conv(dim, dim, 1, act: false));
        _pe = register_module("pe", new Conv(dim, dim, 3, 1, g: dim, act: false));
    }

    public long NumHeads { get; }
    public long HeadDim { get; }
    public long KeyDim { get; }
    public double Scale { get; }

    /// <param name="input">[B, dim, H, W]</param>
    /// <returns>[B, dim, H, W]</returns>
    public override Tensor forward(Tensor input)
    {
        long b = input.shape[0], h = input.shape[2], w = input.shape[3], n = h * w;
        using var qkv = _qkv.forward(input);
        using var heads = qkv.view(b, NumHeads, -1, n);                         // [B, heads, 2 key + head, N]
        var parts = heads.split(new[] { KeyDim, KeyDim, HeadDim }, 2);
        using var q = parts[0];                                                  // [B, heads, key, N]
        using var k = parts[1];
        using var v = parts[2];                                                  // [B, heads, head, N]
        using var qt = q.transpose(-2, -1);                                      // [B, heads, N, key]
        using var logits = qt.matmul(k);                                         // [B, heads, N, N]
        using var scaled = logits * Scale;
        using var attn = scaled.softmax(-1);
        using var attnT = attn.transpose(-2, -1);
        using var mixed = v.matmul(attnT);                                       // [B, heads, head, N]
        using var mixedMap = mixed.view(b, -1, h, w);                            // [B, dim, H, W]
        using var vMap = v.reshape(b, -1, h, w);
        using var pe = _pe.forward(vMap);
        using var sum = mixedMap + pe;
        return _proj.forward(sum);
    }
}
