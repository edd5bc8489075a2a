global using DetrSharp.Detection.Families;
