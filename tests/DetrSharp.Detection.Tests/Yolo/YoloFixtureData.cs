using DetrSharp.TestSupport;

namespace DetrSharp.Detection.Tests.Yolo;

/// <summary>The yolo/ fixtures, parsed once per test run and looked up by name.</summary>
internal static class YoloFixtureData
{
    static readonly Dictionary<string, Fixture> Cache = new();

    public static Fixture Get(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var f))
            {
                foreach (var x in Fixtures.Load("yolo")) Cache[x.Name] = x;
                f = Cache[name];
            }
            return f;
        }
    }
}
