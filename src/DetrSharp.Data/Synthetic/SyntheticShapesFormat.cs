namespace DetrSharp.Data.Synthetic;

/// <summary>The folder layout <see cref="SyntheticShapes.Generate"/> writes.</summary>
public enum SyntheticShapesFormat
{
    /// <summary>A COCO folder: ROOT/{train,val}/*.png, ROOT/annotations/instances_{train,val}.json.</summary>
    Coco,
    /// <summary>The YOLO layout: ROOT/data.yaml, ROOT/images/{train,val}/*.png, ROOT/labels/{train,val}/*.txt.</summary>
    Yolo,
}
