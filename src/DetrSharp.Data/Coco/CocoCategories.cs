namespace DetrSharp.Data.Coco;

/// <summary>
/// A dataset's categories and the map between COCO category ids (any values) and contiguous training labels
/// 0..K-1, assigned in increasing category id order.
/// </summary>
public sealed class CocoCategories
{
    readonly int[] ids;
    readonly string[] names;
    readonly string?[] supercategories;
    readonly Dictionary<int, int> labelOfId;

    internal CocoCategories(IEnumerable<(int Id, string Name, string? Supercategory)> categories)
    {
        var sorted = categories.OrderBy(c => c.Id).ToArray();
        ids = sorted.Select(c => c.Id).ToArray();
        names = sorted.Select(c => c.Name).ToArray();
        supercategories = sorted.Select(c => c.Supercategory).ToArray();
        labelOfId = new Dictionary<int, int>(ids.Length);
        for (int i = 0; i < ids.Length; i++) labelOfId.Add(ids[i], i);
    }

    /// <summary>K, the number of categories (labels are 0..K-1).</summary>
    public int Count => ids.Length;

    /// <summary>Category ids in label order (increasing).</summary>
    public IReadOnlyList<int> Ids => ids;

    /// <summary>Category names in label order.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>Supercategory names in label order (null where the file gives none).</summary>
    public IReadOnlyList<string?> Supercategories => supercategories;

    /// <summary>The label of a category id.</summary>
    /// <exception cref="KeyNotFoundException">The id is not a category of this dataset.</exception>
    public int LabelOf(int categoryId) => labelOfId.TryGetValue(categoryId, out var label)
        ? label
        : throw new KeyNotFoundException($"category id {categoryId} is not one of this dataset's {Count} categories");

    /// <summary>The label of a category id, if it is one.</summary>
    public bool TryGetLabel(int categoryId, out int label) => labelOfId.TryGetValue(categoryId, out label);

    /// <summary>The category id of a label.</summary>
    public int CategoryIdOf(int label) => ids[CheckLabel(label)];

    /// <summary>The category name of a label.</summary>
    public string NameOf(int label) => names[CheckLabel(label)];

    int CheckLabel(int label) => (uint)label < (uint)ids.Length
        ? label
        : throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is not in 0..{ids.Length - 1}");
}
