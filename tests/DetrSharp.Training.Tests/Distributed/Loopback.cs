using System.Net;
using System.Net.Sockets;

namespace DetrSharp.Training.Tests.Distributed;

/// <summary>The loopback port for a test's ranks to meet on.</summary>
internal static class Loopback
{
    /// <summary>A TCP port nobody listens on now (the OS's choice).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
