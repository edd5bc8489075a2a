namespace DetrSharp.Torch.IO;

/// <summary>
/// Writes a file under a temporary name in the same folder and renames it into place, so a crash never
/// leaves a half-written file under the final name (DESIGN.md).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The destination; its folder must exist. An existing file is replaced.</param>
    /// <param name="bytes">The whole content.</param>
    /// <param name="flushToDisk">fsync the data before the rename (slower; use for files a run depends on).</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, bool flushToDisk = true)
    {
        var tmp = TempNameFor(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                fs.Write(bytes);
                if (flushToDisk) fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text, bool flushToDisk = false)
        => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text), flushToDisk);

    /// <summary>
    /// Removes the temporary files that a killed writer left in <paramref name="folder"/> (its own names only:
    /// <c>.NAME.PID.GUID.tmp</c>); returns how many. Call it when a run starts, before anything is written.
    /// </summary>
    public static int RemoveOrphans(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int n = 0;
        foreach (var f in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var parts = Path.GetFileName(f).Split('.');
            // "", NAME..., PID, GUID, "tmp"
            if (parts.Length < 5 || !int.TryParse(parts[^3], out _) || parts[^2].Length != 32) continue;
            TryDelete(f);
            n++;
        }
        return n;
    }

    /// <summary>Writes through <paramref name="write"/> into a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write, bool flushToDisk = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        var tmp = TempNameFor(path);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    static string TempNameFor(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder", nameof(path));
        return Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
