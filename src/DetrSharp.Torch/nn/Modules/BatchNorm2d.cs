namespace DetrSharp.Torch
{
    public static partial class nn
    {
        /// <summary>Batch normalisation over the channels of [N, C, H, W] input, as torch.nn.BatchNorm2d.</summary>
        public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
            bool track_running_stats = true, Device? device = null, ScalarType? dtype = null)
            => new(num_features, eps, momentum, affine, track_running_stats, device, dtype);
    }
}

namespace DetrSharp.Torch.Modules
{
    /// <summary>
    /// Batch normalisation of [N, C, H, W] input per channel, as torch.nn.BatchNorm2d: parameters "weight" (ones) and
    /// "bias" (zeros) when affine; buffers "running_mean" (zeros), "running_var" (ones) and "num_batches_tracked"
    /// (int64 0-d) when tracking running stats. Training normalises with the batch statistics and updates the running
    /// ones in place (momentum, or the cumulative average when momentum is null); eval uses the running ones.
    /// </summary>
    public sealed class BatchNorm2d : nn.Module<Tensor, Tensor>
    {
        public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true,
            Device? device = null, ScalarType? dtype = null) : base(nameof(BatchNorm2d))
        {
            if (num_features <= 0) throw new ArgumentOutOfRangeException(nameof(num_features), num_features, "BatchNorm2d: num_features must be positive");
            this.num_features = num_features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            this.track_running_stats = track_running_stats;
            var c = new[] { num_features };
            register_parameter("weight", affine ? torch.ones(c, dtype, device) : null);
            register_parameter("bias", affine ? torch.zeros(c, dtype, device) : null);
            register_buffer("running_mean", track_running_stats ? torch.zeros(c, dtype, device) : null);
            register_buffer("running_var", track_running_stats ? torch.ones(c, dtype, device) : null);
            register_buffer("num_batches_tracked", track_running_stats ? torch.zeros(Array.Empty<long>(), ScalarType.Int64, device) : null);
        }

        public long num_features { get; }
        public double eps { get; set; }
        /// <summary>Weight of the new batch in the running stats; null: the cumulative average over all batches.</summary>
        public double? momentum { get; set; }
        public bool affine { get; }
        public bool track_running_stats { get; }

        /// <summary>[C] or null; owned by the module.</summary>
        public Tensor? weight => get_parameter("weight");
        /// <summary>[C] or null; owned by the module.</summary>
        public Tensor? bias => get_parameter("bias");
        /// <summary>[C] or null; owned by the module.</summary>
        public Tensor? running_mean => get_buffer("running_mean");
        /// <summary>[C] or null; owned by the module.</summary>
        public Tensor? running_var => get_buffer("running_var");
        /// <summary>int64 0-d, or null; owned by the module.</summary>
        public Tensor? num_batches_tracked => get_buffer("num_batches_tracked");

        /// <summary>
        /// SyncBatchNorm's process group (<see cref="Distributed.SyncBatchNorm.Convert"/>): with a group of more than one
        /// rank, training mode normalises with the statistics of every rank's batch. Null: this batch's own.
        /// </summary>
        public Distributed.ProcessGroup? sync_group { get; set; }

        /// <summary>Running mean 0, variance 1, batch count 0.</summary>
        public void reset_running_stats()
        {
            using var _ = torch.no_grad();
            running_mean?.zero_();
            running_var?.fill_(1);
            num_batches_tracked?.zero_();
        }

        /// <summary>Resets the running stats, weight to 1 and bias to 0.</summary>
        public void reset_parameters()
        {
            reset_running_stats();
            if (weight is { } w) nn.init.ones_(w);
            if (bias is { } b) nn.init.zeros_(b);
        }

        /// <param name="input">[N, C, H, W]</param>
        /// <returns>[N, C, H, W]</returns>
        public override Tensor forward(Tensor input)
        {
            if (input.dim() != 4)
                throw new ArgumentException($"BatchNorm2d: expected 4-D input [N, C, H, W], got shape {Shapes.Format(input)}", nameof(input));
            if (input.size(1) != num_features)
                throw new ArgumentException($"BatchNorm2d: expected {num_features} channels, got input shape {Shapes.Format(input)}", nameof(input));
            double factor = momentum ?? 0.0;
            var count = num_batches_tracked;
            if (training && track_running_stats && count is not null)
            {
                using (torch.no_grad()) count.add_(1);
                if (momentum is null) factor = 1.0 / count.item<long>();
            }
            var rm = running_mean;
            var rv = running_var;
            bool useBatchStats = training || (rm is null && rv is null);
            bool passRunning = !training || track_running_stats;
            if (training && sync_group is { Size: > 1 } group)
                return Distributed.SyncBatchNorm.Apply(group, input, weight, bias, passRunning ? rm : null, passRunning ? rv : null, factor, eps);
            return nn.functional.batch_norm(input, passRunning ? rm : null, passRunning ? rv : null, weight, bias, useBatchStats, factor, eps);
        }
    }
}
