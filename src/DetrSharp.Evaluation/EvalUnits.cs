namespace DetrSharp.Evaluation;

/// <summary>
/// The (category, image) cells that <c>COCOeval.evaluate</c> visits, each with its gts and detections in
/// pycocotools' order: unit <c>u = k * ImageCount + i</c> for the k-th evaluated category (the single
/// category -1 when <c>useCats = 0</c>) and the i-th sorted image id. Lists are CSR arrays of indices into
/// the ground truth's annotations and the detections.
/// </summary>
internal sealed class EvalUnits
{
    public required int ImageCount { get; init; }
    public required long[] ImgIds { get; init; }
    /// <summary>The categories of the K axis: the sorted catIds, or [-1] when useCats = 0.</summary>
    public required long[] UnitCatIds { get; init; }
    public required int[] GtStart { get; init; }   // [units + 1]
    public required int[] GtItems { get; init; }   // gt annotation indices, load order within a unit
    public required int[] DtStart { get; init; }   // [units + 1]
    public required int[] DtItems { get; init; }   // detection indices, load order within a unit

    public int CategoryCount => UnitCatIds.Length;
    public int UnitCount => UnitCatIds.Length * ImageCount;

    /// <summary>Whether a unit has any gt or detection (pycocotools' evalImgs entry is None otherwise).</summary>
    public bool Present(int u) => GtStart[u + 1] > GtStart[u] || DtStart[u + 1] > DtStart[u];

    public static EvalUnits Build(CocoGroundTruth gt, CocoDetections dt, CocoEvalParams p)
    {
        long[] imgIds = p.ImgIds!;
        long[] catIds = p.CatIds!;
        int nI = imgIds.Length;
        var imgIndex = new IdIndex(imgIds);
        long[] distinctCats = catIds.Distinct().ToArray();   // first-occurrence order
        var catIndex = new IdIndex(distinctCats);
        int nC = distinctCats.Length;
        long cells = (long)nC * nI;
        if (cells > int.MaxValue / 2)
            throw new ArgumentException($"{nC} categories x {nI} images is too many cells to evaluate");

        var (gtStart, gtItems) = GroundTruthCells(gt.AnnotationArray, imgIndex, catIndex, p.UseCats, nI, (int)cells);
        var (dtStart, dtItems) = DetectionCells(dt.Array, imgIndex, catIndex, nI, (int)cells);

        if (p.UseCats)
            return new EvalUnits
            {
                ImageCount = nI, ImgIds = imgIds, UnitCatIds = catIds,
                GtStart = gtStart, GtItems = gtItems, DtStart = dtStart, DtItems = dtItems,
            };

        // useCats = 0: an image's candidates are its cells joined in the order of the catIds list.
        var joinCats = new int[catIds.Length];
        for (int j = 0; j < catIds.Length; j++) catIndex.TryGet(catIds[j], out joinCats[j]);
        var (gS, gI) = JoinCategories(gtStart, gtItems, joinCats, nI);
        var (dS, dI) = JoinCategories(dtStart, dtItems, joinCats, nI);
        return new EvalUnits
        {
            ImageCount = nI, ImgIds = imgIds, UnitCatIds = [-1],
            GtStart = gS, GtItems = gI, DtStart = dS, DtItems = dI,
        };
    }

    // pycocotools: gts = loadAnns(getAnnIds(imgIds, catIds)) walks images in id order and each image's
    // annotations in file order, filters on category, then loadAnns looks each id up in a dict (so a
    // repeated annotation id resolves to the last annotation carrying it); _gts buckets them by cell.
    static (int[], int[]) GroundTruthCells(CocoAnnotation[] anns, IdIndex imgIndex,
        IdIndex catIndex, bool useCats, int nI, int cells)
    {
        int[]? canonical = LastIndexOfEachId(anns);
        var keys = new List<int>(anns.Length);
        var items = new List<int>(anns.Length);
        void Emit(int j)
        {
            if (useCats && !catIndex.Contains(anns[j].CategoryId)) return;
            int r = canonical == null ? j : canonical[j];
            if (imgIndex.TryGet(anns[r].ImageId, out int i) && catIndex.TryGet(anns[r].CategoryId, out int c))
            {
                keys.Add(c * nI + i);
                items.Add(r);
            }
        }
        if (canonical == null)
        {
            // Unique ids: a cell's order is file order, whatever order the images are walked in.
            for (int j = 0; j < anns.Length; j++) Emit(j);
        }
        else
        {
            var perImage = new int[anns.Length];
            var imgOf = new int[anns.Length];
            int n = 0;
            for (int j = 0; j < anns.Length; j++)
                if (imgIndex.TryGet(anns[j].ImageId, out int i)) { imgOf[n] = i; perImage[n++] = j; }
            var (_, grouped) = CountingSort(imgOf.AsSpan(0, n), perImage.AsSpan(0, n), nI);
            foreach (int j in grouped) Emit(j);
        }
        return CountingSort(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items), cells);
    }

    static (int[], int[]) DetectionCells(CocoDetection[] dets, IdIndex imgIndex,
        IdIndex catIndex, int nI, int cells)
    {
        var keys = new int[dets.Length];
        var items = new int[dets.Length];
        int n = 0;
        for (int j = 0; j < dets.Length; j++)
        {
            if (imgIndex.TryGet(dets[j].ImageId, out int i) && catIndex.TryGet(dets[j].CategoryId, out int c))
            {
                keys[n] = c * nI + i;
                items[n++] = j;
            }
        }
        return CountingSort(keys.AsSpan(0, n), items.AsSpan(0, n), cells);
    }

    static int[]? LastIndexOfEachId(CocoAnnotation[] anns)
    {
        var last = new Dictionary<long, int>(anns.Length);
        bool repeated = false;
        for (int j = 0; j < anns.Length; j++)
        {
            if (last.ContainsKey(anns[j].Id)) repeated = true;
            last[anns[j].Id] = j;
        }
        if (!repeated) return null;
        var canonical = new int[anns.Length];
        for (int j = 0; j < anns.Length; j++) canonical[j] = last[anns[j].Id];
        return canonical;
    }

    /// <summary>Stable bucket sort: items grouped by key, input order kept within a bucket.</summary>
    static (int[] start, int[] items) CountingSort(ReadOnlySpan<int> keys, ReadOnlySpan<int> values, int buckets)
    {
        var start = new int[buckets + 1];
        foreach (int k in keys) start[k + 1]++;
        for (int b = 0; b < buckets; b++) start[b + 1] += start[b];
        var pos = (int[])start.Clone();
        var items = new int[keys.Length];
        for (int j = 0; j < keys.Length; j++) items[pos[keys[j]]++] = values[j];
        return (start, items);
    }

    static (int[], int[]) JoinCategories(int[] start, int[] items, int[] joinCats, int nI)
    {
        var outStart = new int[nI + 1];
        for (int i = 0; i < nI; i++)
        {
            int n = 0;
            foreach (int c in joinCats) n += start[c * nI + i + 1] - start[c * nI + i];
            outStart[i + 1] = outStart[i] + n;
        }
        var outItems = new int[outStart[nI]];
        for (int i = 0; i < nI; i++)
        {
            int w = outStart[i];
            foreach (int c in joinCats)
                for (int j = start[c * nI + i]; j < start[c * nI + i + 1]; j++) outItems[w++] = items[j];
        }
        return (outStart, outItems);
    }
}
