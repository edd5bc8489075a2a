namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Multi-head scaled dot-product attention, as torch.nn.MultiheadAttention.</summary>
        public static Modules.MultiheadAttention MultiheadAttention(long embed_dim, long num_heads, double dropout = 0.0, bool bias = true,
            bool batch_first = false, Device? device = null, ScalarType? dtype = null)
            => new(embed_dim, num_heads, dropout, bias, batch_first, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Multi-head attention with the semantics and parameter names of torch.nn.MultiheadAttention (equal query, key and
    /// value dims): "in_proj_weight" [3E, E] (xavier_uniform_), "in_proj_bias" [3E] (zeros), and the child Linear
    /// "out_proj" ("out_proj.weight" [E, E], "out_proj.bias" [E], zeros). Inputs are sequence-first [L, N, E] unless
    /// batch_first. Masks: key_padding_mask [N, S] (bool, true = ignore that key; or float, added); attn_mask [L, S] or
    /// [N * num_heads, L, S] (bool, true = not allowed; or float, added). Dropout applies to the attention weights in
    /// training mode.
    /// </summary>
    public sealed class MultiheadAttention : nn.Module
    {
        public MultiheadAttention(long embed_dim, long num_heads, double dropout = 0.0, bool bias = true, bool batch_first = false,
            Device? device = null, ScalarType? dtype = null) : base(nameof(MultiheadAttention))
        {
            if (embed_dim <= 0 || num_heads <= 0 || embed_dim % num_heads != 0)
                throw new ArgumentException($"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})", nameof(num_heads));
            if (dropout < 0 || dropout > 1 || double.IsNaN(dropout))
                throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "MultiheadAttention: dropout must be between 0 and 1");
            this.embed_dim = embed_dim;
            this.num_heads = num_heads;
            head_dim = embed_dim / num_heads;
            this.dropout = dropout;
            this.batch_first = batch_first;
            // Registration and random draws in PyTorch's order: in_proj_weight, in_proj_bias, out_proj (its Linear
            // init draws first), then xavier_uniform_ on in_proj_weight and zeros on the biases.
            register_parameter("in_proj_weight", torch.empty(new[] { 3 * embed_dim, embed_dim }, dtype, device));
            register_parameter("in_proj_bias", bias ? torch.empty(new[] { 3 * embed_dim }, dtype, device) : null);
            register_module("out_proj", new Linear(embed_dim, embed_dim, bias, device, dtype));
            reset_parameters();
        }

        public long embed_dim { get; }
        public long num_heads { get; }
        public long head_dim { get; }
        public double dropout { get; }
        public bool batch_first { get; }

        /// <summary>[3E, E]: the query, key and value projections stacked; owned by the module.</summary>
        public Tensor in_proj_weight => get_parameter("in_proj_weight")!;
        /// <summary>[3E] or null; owned by the module.</summary>
        public Tensor? in_proj_bias => get_parameter("in_proj_bias");
        /// <summary>The output projection E → E.</summary>
        public Linear out_proj => (Linear)get_submodule("out_proj")!;

        /// <summary>xavier_uniform_ on in_proj_weight, zeros on in_proj_bias and out_proj.bias.</summary>
        public void reset_parameters()
        {
            nn.init.xavier_uniform_(in_proj_weight);
            if (in_proj_bias is { } ib) nn.init.zeros_(ib);
            if (out_proj.bias is { } ob) nn.init.zeros_(ob);
        }

        /// <summary>Attention of query over key/value.</summary>
        /// <param name="query">[L, N, E] ([N, L, E] if batch_first, or unbatched [L, E])</param>
        /// <param name="key">[S, N, E] ([N, S, E] if batch_first, or [S, E])</param>
        /// <param name="value">[S, N, E] ([N, S, E] if batch_first, or [S, E])</param>
        /// <param name="key_padding_mask">[N, S] (or [S] unbatched): bool, true = ignore the key; or float, added to the scores</param>
        /// <param name="need_weights">also return the attention weights</param>
        /// <param name="attn_mask">[L, S] or [N * num_heads, L, S]: bool, true = not allowed; or float, added to the scores</param>
        /// <param name="average_attn_weights">average the returned weights over heads ([N, L, S]) instead of [N, heads, L, S]</param>
        /// <returns>output [L, N, E] (layout as the query); weights [N, L, S] or null</returns>
        public (Tensor output, Tensor? weights) forward(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask = null,
            bool need_weights = true, Tensor? attn_mask = null, bool average_attn_weights = true)
        {
            bool batched = query.dim() == 3;
            if (!batched && query.dim() != 2)
                throw new ArgumentException($"MultiheadAttention: query must be [L, N, E] or [L, E], got shape {Shapes.Format(query)}", nameof(query));
            if (key.dim() != query.dim() || value.dim() != query.dim())
                throw new ArgumentException($"MultiheadAttention: query {Shapes.Format(query)}, key {Shapes.Format(key)} and value {Shapes.Format(value)} must have the same number of dims");
            if (batched && batch_first)
            {
                // Attention runs sequence-first: [N, L, E] → [L, N, E].
                using var q = query.transpose(0, 1);
                using var k = key.transpose(0, 1);
                using var v = value.transpose(0, 1);
                var (o, w) = Attend(q, k, v, key_padding_mask, need_weights, attn_mask, average_attn_weights);
                using (o) return (o.transpose(0, 1), w);
            }
            if (!batched)
            {
                using var q = query.unsqueeze(1);
                using var k = key.unsqueeze(1);
                using var v = value.unsqueeze(1);
                using var kpm = key_padding_mask?.unsqueeze(0);
                var (o, w) = Attend(q, k, v, kpm, need_weights, attn_mask, average_attn_weights);
                using (o)
                using (w)
                    return (o.squeeze(1), w?.squeeze(0));
            }
            return Attend(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights);
        }

        /// <summary>Same as <see cref="forward"/>.</summary>
        public (Tensor output, Tensor? weights) call(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask = null,
            bool need_weights = true, Tensor? attn_mask = null, bool average_attn_weights = true)
            => forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights);

        /// <summary>Sequence-first, batched attention.</summary>
        (Tensor output, Tensor? weights) Attend(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask, bool need_weights,
            Tensor? attn_mask, bool average)
        {
            var qs = query.shape;
            var ks = key.shape;
            var vs = value.shape;
            long L = qs[0], N = qs[1], E = qs[2], S = ks[0], H = num_heads, D = head_dim;
            if (E != embed_dim)
                throw new ArgumentException($"MultiheadAttention: query's embedding dim is {E}, expected embed_dim = {embed_dim}", nameof(query));
            if (ks[1] != N || vs[1] != N || ks[2] != E || vs[2] != E || vs[0] != S)
                throw new ArgumentException($"MultiheadAttention: key {Shapes.Format(ks)} and value {Shapes.Format(vs)} must be [S, {N}, {E}] for query {Shapes.Format(qs)}");

            var (q, k, v) = InProjection(query, key, value);   // [L, N, E], [S, N, E], [S, N, E]
            Tensor scores;                                       // [N*H, L, S]
            Tensor vh;                                           // [N*H, S, D]
            using (q)
            using (k)
            using (v)
            {
                using var qc = q.contiguous();
                using var qv = qc.view(L, N * H, D);
                using var qh = qv.transpose(0, 1);               // [N*H, L, D]
                using var qScaled = qh.mul(1.0 / Math.Sqrt(D));
                using var kc = k.contiguous();
                using var kv = kc.view(S, N * H, D);
                using var kh = kv.transpose(0, 1);               // [N*H, S, D]
                using var kt = kh.transpose(1, 2);               // [N*H, D, S]
                scores = torch.bmm(qScaled, kt);
                using var vc = v.contiguous();
                using var vv = vc.view(S, N * H, D);
                vh = vv.transpose(0, 1);
            }
            using (vh)
            {
                using (var mask = MergedMask(attn_mask, key_padding_mask, L, N, S, query.dtype))
                {
                    if (mask is not null)
                    {
                        var masked = scores.add(mask);
                        scores.Dispose();
                        scores = masked;
                    }
                }
                Tensor weights;                                   // [N*H, L, S]
                using (scores) weights = scores.softmax(-1);
                if (dropout > 0 && training)
                {
                    var dropped = nn.functional.dropout(weights, dropout, true);
                    weights.Dispose();
                    weights = dropped;
                }
                using (weights)
                {
                    using var attended = torch.bmm(weights, vh);  // [N*H, L, D]
                    using var at = attended.transpose(0, 1);      // [L, N*H, D]
                    using var atc = at.contiguous();
                    using var merged = atc.view(L * N, E);
                    var outProj = out_proj;
                    using var projected = nn.functional.linear(merged, outProj.weight, outProj.bias); // [L*N, E]
                    var output = projected.view(L, N, E);

                    if (!need_weights) return (output, null);
                    using var perHead = weights.view(N, H, L, S);
                    return (output, average ? perHead.mean(1) : perHead.alias()); // [N, L, S] or [N, H, L, S]
                }
            }
        }

        /// <summary>
        /// q, k, v projected by the rows of in_proj_weight, sharing one matmul where inputs are shared: all three when
        /// query, key and value are the same tensor (self-attention), key and value when those two are
        /// (encoder-decoder), query and key when those two are (DETR's q = k = x + pos, v = x).
        /// </summary>
        (Tensor q, Tensor k, Tensor v) InProjection(Tensor query, Tensor key, Tensor value)
        {
            var w = in_proj_weight;
            var b = in_proj_bias;
            var ws = w.chunk(3);                                // 3 × [E, E]
            var bs = b?.chunk(3);                               // 3 × [E]
            try
            {
                if (ReferenceEquals(key, value))
                {
                    if (ReferenceEquals(query, key))
                    {
                        using var qkv = nn.functional.linear(query, w, b); // [L, N, 3E]
                        var parts = qkv.chunk(3, -1);
                        return (parts[0], parts[1], parts[2]);
                    }
                    using var wkv = w.narrow(0, embed_dim, 2 * embed_dim);
                    using var bkv = b?.narrow(0, embed_dim, 2 * embed_dim);
                    var q1 = nn.functional.linear(query, ws[0], bs?[0]);
                    using var kv = nn.functional.linear(key, wkv, bkv); // [S, N, 2E]
                    var kvParts = kv.chunk(2, -1);
                    return (q1, kvParts[0], kvParts[1]);
                }
                if (ReferenceEquals(query, key))
                {
                    using var wqk = w.narrow(0, 0, 2 * embed_dim);
                    using var bqk = b?.narrow(0, 0, 2 * embed_dim);
                    using var qk = nn.functional.linear(query, wqk, bqk); // [L, N, 2E]
                    var qkParts = qk.chunk(2, -1);
                    return (qkParts[0], qkParts[1], nn.functional.linear(value, ws[2], bs?[2]));
                }
                return (nn.functional.linear(query, ws[0], bs?[0]), nn.functional.linear(key, ws[1], bs?[1]), nn.functional.linear(value, ws[2], bs?[2]));
            }
            finally
            {
                foreach (var t in ws) t.Dispose();
                if (bs is not null) foreach (var t in bs) t.Dispose();
            }
        }

        /// <summary>
        /// attn_mask and key_padding_mask as one additive float mask (-inf where not allowed), broadcastable to
        /// [N*H, L, S]; null when neither is given.
        /// </summary>
        Tensor? MergedMask(Tensor? attn_mask, Tensor? key_padding_mask, long L, long N, long S, ScalarType dtype)
        {
            long H = num_heads;
            Tensor? mask = null;
            if (attn_mask is not null)
            {
                var ams = attn_mask.shape;
                bool ok = (ams.Length == 2 && ams[0] == L && ams[1] == S) || (ams.Length == 3 && ams[0] == N * H && ams[1] == L && ams[2] == S);
                if (!ok)
                    throw new ArgumentException($"MultiheadAttention: attn_mask must be [{L}, {S}] or [{N * H}, {L}, {S}], got {Shapes.Format(ams)}", nameof(attn_mask));
                using var additive = Additive(attn_mask, dtype, nameof(attn_mask));
                mask = ams.Length == 2 ? additive.unsqueeze(0) : additive.alias(); // [1 or N*H, L, S]
            }
            if (key_padding_mask is not null)
            {
                var kps = key_padding_mask.shape;
                if (kps.Length != 2 || kps[0] != N || kps[1] != S)
                    throw new ArgumentException($"MultiheadAttention: key_padding_mask must be [{N}, {S}], got {Shapes.Format(kps)}", nameof(key_padding_mask));
                using var additive = Additive(key_padding_mask, dtype, nameof(key_padding_mask));
                using var perBatch = additive.view(N, 1, 1, S);
                using var perHead = perBatch.expand(N, H, 1, S);
                using var kpm = perHead.reshape(N * H, 1, S);    // [N*H, 1, S]
                if (mask is null) mask = kpm.alias();
                else
                {
                    var sum = mask.add(kpm);
                    mask.Dispose();
                    mask = sum;
                }
            }
            return mask;
        }

        /// <summary>A bool mask as 0 / -inf in dtype; a float mask converted to dtype.</summary>
        static Tensor Additive(Tensor mask, ScalarType dtype, string name)
        {
            if (mask.dtype == ScalarType.Bool)
            {
                using var zeros = torch.zeros_like(mask, dtype);
                return zeros.masked_fill(mask, double.NegativeInfinity);
            }
            if (!mask.is_floating_point())
                throw new ArgumentException($"MultiheadAttention: {name} must be bool or floating point, got {mask.dtype.Name()}", name);
            return mask.to(dtype);
        }
    }
}
