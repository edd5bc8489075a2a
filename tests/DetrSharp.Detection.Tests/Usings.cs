global using Xunit;
global using DetrSharp.Detection.Detr;
