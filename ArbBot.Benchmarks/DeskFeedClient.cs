using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ArbBot.Benchmarks;

/// <summary>
/// A dashboard client of <c>/hubs/desk</c> for load: the SignalR JSON protocol over a WebSocket (the SignalR client
/// package is not served here; this mirrors ArbBot.Tests' SignalRTestClient). Negotiates with an API key, handshakes,
/// then reads every frame as fast as the server sends, counting <c>DeskUpdate</c> pushes and bytes, and pings every
/// 10 s so the server keeps a quiet connection.
/// </summary>
internal sealed class DeskFeedClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly byte[] DeskUpdateTarget = Encoding.UTF8.GetBytes("\"target\":\"DeskUpdate\"");

    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly Task _pinging;
    private long _updates;
    private long _bytes;

    private DeskFeedClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
        _pinging = Task.Run(PingLoopAsync);
    }

    public long Updates => Interlocked.Read(ref _updates);
    public long Bytes => Interlocked.Read(ref _bytes);
    public bool Connected => _socket.State == WebSocketState.Open;

    public static async Task<DeskFeedClient> ConnectAsync(Uri hubUrl, string apiKey, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hubUrl + "/negotiate?negotiateVersion=1"));
        request.Headers.TryAddWithoutValidation("X-Api-Key", apiKey);
        using var negotiate = await http.SendAsync(request, cancellationToken);
        var body = await negotiate.Content.ReadAsStringAsync(cancellationToken);
        if (!negotiate.IsSuccessStatusCode) throw new HttpRequestException($"negotiate answered {(int)negotiate.StatusCode}: {body}");
        using var negotiation = JsonDocument.Parse(body);
        var token = negotiation.RootElement.GetProperty("connectionToken").GetString()!;

        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Api-Key", apiKey);
        var wsUrl = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == "https" ? "wss" : "ws", Query = "id=" + Uri.EscapeDataString(token) }.Uri;
        await socket.ConnectAsync(wsUrl, cancellationToken);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, cancellationToken);
        return new DeskFeedClient(socket);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                Interlocked.Add(ref _bytes, result.Count);
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage) continue;
                // Each WebSocket message holds whole frames ending in 0x1E; a push names its target.
                var span = message.GetBuffer().AsSpan(0, (int)message.Length);
                foreach (var frame in span.Split(RecordSeparator))
                {
                    if (span[frame].IndexOf(DeskUpdateTarget) >= 0) Interlocked.Increment(ref _updates);
                }
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    private async Task PingLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                await _socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":6}\u001e"), WebSocketMessageType.Text, true, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        await _stop.CancelAsync();
        await Task.WhenAll(_receiving, _pinging);
        _socket.Dispose();
        _stop.Dispose();
    }
}
