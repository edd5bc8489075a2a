namespace DetrSharp.Data.Synthetic;

/// <summary>What <see cref="SyntheticShapes.Generate"/> did.</summary>
/// <param name="Root">The dataset folder.</param>
/// <param name="Generated">False when the folder already held this exact dataset and nothing was written.</param>
/// <param name="TrainImages">Training images in the folder.</param>
/// <param name="ValImages">Validation images.</param>
/// <param name="TrainObjects">Annotated objects in the training split.</param>
/// <param name="ValObjects">Annotated objects in the validation split.</param>
public sealed record SyntheticShapesResult(string Root, bool Generated, int TrainImages, int ValImages, int TrainObjects, int ValObjects);
