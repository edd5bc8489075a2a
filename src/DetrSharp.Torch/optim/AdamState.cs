namespace DetrSharp.Torch;

public static partial class optim
{
    /// <summary>Adam's and AdamW's per-parameter state: step count, first and second moments, AMSGrad's running max.</summary>
    internal sealed class AdamState : ParamState
    {
        public long step;
        public Tensor exp_avg = null!;
        public Tensor exp_avg_sq = null!;
        public Tensor? max_exp_avg_sq;

        /// <summary>Zero moments shaped like the parameter (and its layout), as on a first step.</summary>
        public static AdamState Zeros(Tensor param, bool amsgrad) => new()
        {
            exp_avg = Own(torch.zeros_like(param)),
            exp_avg_sq = Own(torch.zeros_like(param)),
            max_exp_avg_sq = amsgrad ? Own(torch.zeros_like(param)) : null,
        };

        public static AdamState Load(Tensor param, bool amsgrad, IReadOnlyDictionary<string, object?> entry, string where)
        {
            var s = new AdamState();
            try
            {
                s.step = StateValue.ToLong(StateValue.Require(entry, "step", where), where + ".step");
                if (s.step < 0) throw new ArgumentException($"{where}.step must not be negative, got {s.step}");
                s.exp_avg = LoadLikeParam(param, StateValue.Require(entry, "exp_avg", where), where + ".exp_avg");
                s.exp_avg_sq = LoadLikeParam(param, StateValue.Require(entry, "exp_avg_sq", where), where + ".exp_avg_sq");
                if (entry.TryGetValue("max_exp_avg_sq", out var m) && m is not null)
                    s.max_exp_avg_sq = LoadLikeParam(param, m, where + ".max_exp_avg_sq");
                else if (amsgrad)
                    throw new ArgumentException($"{where} has no 'max_exp_avg_sq' entry, which amsgrad needs");
                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }

        public override Dictionary<string, object?> ToStateDict()
        {
            var d = new Dictionary<string, object?>
            {
                ["step"] = StepTensor(step),
                ["exp_avg"] = exp_avg.detach(),
                ["exp_avg_sq"] = exp_avg_sq.detach(),
            };
            if (max_exp_avg_sq is not null) d["max_exp_avg_sq"] = max_exp_avg_sq.detach();
            return d;
        }

        public override void Dispose()
        {
            exp_avg?.Dispose();
            exp_avg_sq?.Dispose();
            max_exp_avg_sq?.Dispose();
        }
    }
}
