namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>A fully connected layer y = x W^T + b, as torch.nn.Linear.</summary>
        public static Modules.Linear Linear(long in_features, long out_features, bool bias = true, Device? device = null, ScalarType? dtype = null)
            => new(in_features, out_features, bias, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// y = x W^T + b, as torch.nn.Linear: parameters "weight" [out_features, in_features] and "bias" [out_features],
    /// initialised as PyTorch does (kaiming_uniform_ with a = √5, i.e. U(±1/√in_features), then the bias U(±1/√in_features)).
    /// </summary>
    public sealed class Linear : nn.Module<Tensor, Tensor>
    {
        public Linear(long in_features, long out_features, bool bias = true, Device? device = null, ScalarType? dtype = null) : base(nameof(Linear))
        {
            if (in_features < 0 || out_features < 0)
                throw new ArgumentOutOfRangeException(nameof(in_features), $"Linear: feature counts must be non-negative, got {in_features} → {out_features}");
            this.in_features = in_features;
            this.out_features = out_features;
            register_parameter("weight", torch.empty(new[] { out_features, in_features }, dtype, device));
            register_parameter("bias", bias ? torch.empty(new[] { out_features }, dtype, device) : null);
            reset_parameters();
        }

        public long in_features { get; }
        public long out_features { get; }

        /// <summary>[out_features, in_features]; owned by the module (do not dispose).</summary>
        public Tensor weight
        {
            get => get_parameter("weight")!;
            set => register_parameter("weight", value);
        }

        /// <summary>[out_features], or null; owned by the module (do not dispose).</summary>
        public Tensor? bias
        {
            get => get_parameter("bias");
            set => register_parameter("bias", value);
        }

        /// <summary>Re-draws the parameters as the constructor does.</summary>
        public void reset_parameters()
        {
            nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
            if (bias is { } b)
            {
                double bound = in_features > 0 ? 1 / Math.Sqrt(in_features) : 0;
                nn.init.uniform_(b, -bound, bound);
            }
        }

        /// <param name="input">[*, in_features]</param>
        /// <returns>[*, out_features]</returns>
        public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
    }
}
