using System.Text.Json.Nodes;
using DetrSharp.Detection.Configuration;

namespace DetrSharp.Training;

/// <summary>
/// Configs written before the sections existed (checkpoints and config.json of earlier versions hold one flat
/// object: <c>{"epochs": 40, "hidden_dim": 128, ...}</c>): the one place that maps their keys to sections, so
/// such checkpoints still load for eval, predict and resume.
/// </summary>
public static class LegacyConfig
{
    static readonly Dictionary<string, string> Map = new()
    {
        ["data"] = "data.path", ["synth_train"] = "data.synth_train", ["synth_val"] = "data.synth_val", ["synth_size"] = "data.synth_size",
        ["train_scales"] = "data.train_scales", ["max_size"] = "data.max_size", ["crop_resize"] = "data.crop_resize",
        ["crop_min"] = "data.crop_min", ["crop_max"] = "data.crop_max", ["val_size"] = "data.val_size",
        ["skip_bad_samples"] = "data.skip_bad_samples", ["batch_size"] = "data.batch_size",
        ["lr"] = "optim.lr", ["lr_backbone"] = "optim.lr_backbone", ["weight_decay"] = "optim.weight_decay",
        ["clip_max_norm"] = "optim.clip_max_norm", ["ema"] = "optim.ema",
        ["epochs"] = "schedule.epochs", ["warmup_steps"] = "schedule.warmup_steps", ["lr_schedule"] = "schedule.lr_schedule",
        ["lr_drop"] = "schedule.lr_drop", ["max_steps"] = "schedule.max_steps", ["time_limit_minutes"] = "schedule.time_limit_minutes",
        ["checkpoint_every"] = "schedule.checkpoint_every",
        ["eval_every"] = "eval.every",
        ["seed"] = "runtime.seed", ["threads"] = "runtime.threads", ["workers"] = "runtime.workers",
        ["log_every"] = "runtime.log_every", ["device"] = "runtime.device",
        ["backbone"] = "model.backbone", ["dilation"] = "model.dilation", ["freeze_stem"] = "model.freeze_stem",
        ["backbone_stages"] = "model.backbone_stages", ["hidden_dim"] = "model.hidden_dim", ["nheads"] = "model.nheads",
        ["enc_layers"] = "model.enc_layers", ["dec_layers"] = "model.dec_layers", ["dim_feedforward"] = "model.dim_feedforward",
        ["dropout"] = "model.dropout", ["num_queries"] = "model.num_queries", ["pre_norm"] = "model.pre_norm",
        ["anchor_boxes"] = "model.anchor_boxes", ["aux_loss"] = "model.aux_loss", ["position_embedding"] = "model.position_embedding",
        ["init_from"] = "model.init_from", ["set_cost_class"] = "model.set_cost_class", ["set_cost_bbox"] = "model.set_cost_bbox",
        ["set_cost_giou"] = "model.set_cost_giou", ["ce_loss_coef"] = "model.ce_loss_coef", ["bbox_loss_coef"] = "model.bbox_loss_coef",
        ["giou_loss_coef"] = "model.giou_loss_coef", ["eos_coef"] = "model.eos_coef", ["topk_detections"] = "model.topk_detections",
    };

    /// <summary>True for a config of the flat layout: a key of that layout at the top level that is not a section, or
    /// <c>data</c> holding a path (a string) rather than the data section.</summary>
    public static bool IsFlat(JsonObject root)
        => root.Any(kv => !RunConfig.Sections.Contains(kv.Key) && (Map.ContainsKey(kv.Key) || kv.Key == "trainable_batch_norm"))
           || root["data"] is JsonValue;

    /// <summary>The same settings in sections; the models of that layout were all DETR.</summary>
    public static JsonObject ToSections(JsonObject flat)
    {
        var root = new JsonObject { ["model"] = new JsonObject { ["name"] = "detr" } };
        foreach (var (key, value) in flat)
        {
            if (key == "trainable_batch_norm")
            {
                ((JsonObject)root["model"]!)["backbone_norm"] = value?.GetValue<bool>() == false ? "frozen" : "batch_norm";
                continue;
            }
            if (!Map.TryGetValue(key, out var target)) throw new ConfigException($"unknown key \"{key}\" in a config of the flat (pre-sections) layout");
            var (section, name) = (target[..target.IndexOf('.')], target[(target.IndexOf('.') + 1)..]);
            if (root[section] is not JsonObject obj) root[section] = obj = new JsonObject();
            obj[name] = value?.DeepClone();
        }
        return root;
    }
}
