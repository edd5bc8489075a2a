namespace DetrSharp.TestSupport;

/// <summary>The source checkout the tests run from (for tests that check the repository's own files).</summary>
public static class Repository
{
    static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DetrSharp.sln"))) return dir.FullName;
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException("DetrSharp.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The folder holding DetrSharp.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The files matching <paramref name="pattern"/> under the repository folder <paramref name="folder"/>
    /// (e.g. "tests", "*.cs"), build outputs (bin/, obj/) left out, sorted.</summary>
    public static IReadOnlyList<string> Files(string folder, string pattern)
    {
        var sep = Path.DirectorySeparatorChar;
        return Directory.GetFiles(Path.Combine(Root, folder), pattern, SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The path relative to the repository root, with '/' separators (for messages).</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}
