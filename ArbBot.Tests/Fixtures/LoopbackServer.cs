using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ArbBot.Tests.Fixtures;

/// <summary>Serves a <see cref="DeskAppFactory"/> with Kestrel on loopback, for clients that need a real socket (WebSockets).</summary>
public static class LoopbackServer
{
    /// <summary>Starts Kestrel on <paramref name="port"/> (0: any free port) and returns the base URL, e.g. http://127.0.0.1:41234.</summary>
    public static Uri Start(DeskAppFactory app, int port = 0)
    {
        app.UseKestrel(port);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/'));
    }

    /// <summary>A loopback port free now (for a server that must come back on the same address).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
