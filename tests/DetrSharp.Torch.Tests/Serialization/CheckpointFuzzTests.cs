using System.Diagnostics;
using DetrSharp.Torch.Serialization;
using Xunit;

namespace DetrSharp.Torch.Tests.Serialization;

/// <summary>
/// Mutated and truncated fixture files never crash the process or hang: each load either succeeds or raises a
/// <see cref="CheckpointFormatException"/> naming the input.
/// </summary>
public class CheckpointFuzzTests
{
    public static IEnumerable<object[]> Files()
        => TorchFixtureFiles.Rows().Select(r => new object[] { TorchFixtureFiles.Get((string)r[0], (string)r[1]).Path });

    static void LoadOrFail(byte[] bytes, string name)
    {
        try
        {
            var root = torch.load(bytes, name);
            CheckpointTree.DisposeTensors(root);
        }
        catch (CheckpointFormatException e)
        {
            Assert.StartsWith(name + ": ", e.Message);
        }
    }

    /// <summary>Runs the body on a thread with a deadline, so a hang fails the test instead of stalling the run.</summary>
    static void WithDeadline(TimeSpan limit, Action body)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { error = e; }
        }, 16 << 20) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(limit), $"fuzzing did not finish within {limit}");
        if (error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TruncatedAtEveryLength(string path)
    {
        var bytes = File.ReadAllBytes(path);
        WithDeadline(TimeSpan.FromMinutes(3), () =>
        {
            for (int n = 0; n < bytes.Length; n += bytes.Length > 6000 ? 3 : 1)
                LoadOrFail(bytes[..n], $"cut{n}");
        });
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void RandomByteMutations(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var rnd = new Random(path.Length * 7919);
        int succeeded = 0;
        WithDeadline(TimeSpan.FromMinutes(3), () =>
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 3000; i++)
            {
                var m = (byte[])bytes.Clone();
                int edits = 1 + rnd.Next(4);
                for (int k = 0; k < edits; k++)
                {
                    int at = rnd.Next(m.Length);
                    m[at] = rnd.Next(3) switch
                    {
                        0 => (byte)rnd.Next(256),
                        1 => (byte)(m[at] ^ (1 << rnd.Next(8))),
                        _ => (byte)(rnd.Next(2) == 0 ? 0 : 0xFF),
                    };
                }
                try
                {
                    var root = torch.load(m, $"mut{i}");
                    CheckpointTree.DisposeTensors(root);
                    succeeded++;
                }
                catch (CheckpointFormatException e)
                {
                    Assert.StartsWith($"mut{i}: ", e.Message);
                }
            }
        });
        // Legacy files carry no CRC, so many of their mutations load (with changed values); zip files detect nearly all.
        Assert.True(succeeded < 3000);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void MutationsOfThePickleOnly(string path)
    {
        // Mutating data.pkl and fixing its CRC exercises the unpickler rather than the CRC check.
        var src = File.ReadAllBytes(path);
        if (!ZipReader.LooksLikeZip(ByteSource.FromMemory(src, path))) return;
        var zip = new ZipReader(ByteSource.FromMemory(src, path));
        var entries = zip.Entries.Select(e => (Name: e.Name[(e.Name.IndexOf('/') + 1)..], Data: zip.ReadAllBytes(e))).ToList();
        var pkl = entries.First(e => e.Name == "data.pkl").Data;
        var rnd = new Random(11);
        WithDeadline(TimeSpan.FromMinutes(3), () =>
        {
            for (int i = 0; i < 1500; i++)
            {
                var m = (byte[])pkl.Clone();
                for (int k = 1 + rnd.Next(3); k > 0; k--) m[rnd.Next(m.Length)] = (byte)rnd.Next(256);
                if (rnd.Next(4) == 0) m = m[..rnd.Next(m.Length)];
                using var ms = new MemoryStream();
                var w = new ZipWriter(ms, "archive");
                foreach (var (name, data) in entries) w.WriteRecord(name, name == "data.pkl" ? m : data);
                w.Finish();
                LoadOrFail(ms.ToArray(), $"pkl{i}");
            }
        });
    }
}
