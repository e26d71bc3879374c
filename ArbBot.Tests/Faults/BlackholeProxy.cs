using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ArbBot.Tests.Faults;

/// <summary>
/// A loopback TCP proxy in front of a fake venue that can turn its open connections into black holes: bytes are read
/// and thrown away in both directions, nothing is closed. That is a half-open connection as a dead NAT entry or a
/// vanished peer makes it: the socket looks open, no data, no pong, no close. New connections pass normally.
/// </summary>
public sealed class BlackholeProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Pair, byte> _pairs = new();
    private readonly Task _accepting;
    private long _accepted;

    private BlackholeProxy(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Connections taken so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Starts a proxy to the host and port of <paramref name="upstream"/>.</summary>
    public static BlackholeProxy Start(Uri upstream) => new(upstream);

    /// <summary><paramref name="url"/> with its host and port replaced by the proxy's.</summary>
    public Uri Via(Uri url) => new UriBuilder(url) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>Every open connection stops carrying bytes (both ways) but stays open.</summary>
    public void BlackholeOpenConnections()
    {
        foreach (var p in _pairs.Keys) p.Blackholed = true;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        var pair = new Pair();
        try
        {
            await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            _pairs[pair] = 0;
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var a = PumpAsync(client.GetStream(), upstream.GetStream(), pair, both.Token);
            var b = PumpAsync(upstream.GetStream(), client.GetStream(), pair, both.Token);
            await Task.WhenAny(a, b);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _pairs.TryRemove(pair, out _);
            client.Dispose();
        }
    }

    private static async Task PumpAsync(Stream from, Stream to, Pair pair, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, cancellationToken);
                if (n == 0) return;
                // A black hole swallows: the sender sees its bytes go, the receiver never gets them.
                if (!pair.Blackholed) await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Pair
    {
        public volatile bool Blackholed;
    }
}
