using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// A small SignalR client speaking the JSON hub protocol over a WebSocket (Microsoft.AspNetCore.SignalR.Client is not
/// served here): negotiate, connect with <c>?id=connectionToken</c>, handshake, then invocations (type 1), completions
/// (3), pings (6) and close (7), each frame ended by the record separator 0x1E.
/// </summary>
public sealed class SignalRTestClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly Channel<ServerCall> _calls = Channel.CreateUnbounded<ServerCall>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Task _receiving;
    private readonly Task _pinging;
    private int _nextInvocationId;

    private SignalRTestClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveLoopAsync);
        _pinging = Task.Run(PingLoopAsync);
    }

    /// <summary>A call from the server to a client method, with its arguments.</summary>
    public sealed record ServerCall(string Target, JsonElement[] Arguments);

    /// <summary>Why the server closed the connection, when it sent a close message.</summary>
    public string? CloseError { get; private set; }

    /// <summary>POSTs <c>{hub}/negotiate?negotiateVersion=1</c> with the given headers (e.g. X-Api-Key or Cookie).</summary>
    public static async Task<HttpResponseMessage> NegotiateAsync(Uri hubUrl, IReadOnlyDictionary<string, string> headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hubUrl + "/negotiate?negotiateVersion=1"));
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await http.SendAsync(request);
    }

    /// <summary>Negotiates, connects the WebSocket and completes the JSON protocol handshake.</summary>
    public static async Task<SignalRTestClient> ConnectAsync(Uri hubUrl, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
    {
        using var negotiate = await NegotiateAsync(hubUrl, headers);
        var body = await negotiate.Content.ReadAsStringAsync(cancellationToken);
        if (!negotiate.IsSuccessStatusCode) throw new HttpRequestException($"negotiate answered {(int)negotiate.StatusCode}: {body}", null, negotiate.StatusCode);
        using var negotiation = JsonDocument.Parse(body);
        var token = negotiation.RootElement.GetProperty("connectionToken").GetString()!;

        var socket = new ClientWebSocket();
        foreach (var (name, value) in headers) socket.Options.SetRequestHeader(name, value);
        var wsUrl = new UriBuilder(hubUrl) { Scheme = hubUrl.Scheme == "https" ? "wss" : "ws", Query = "id=" + Uri.EscapeDataString(token) }.Uri;
        await socket.ConnectAsync(wsUrl, cancellationToken);
        await SendTextAsync(socket, """{"protocol":"json","version":1}""" + RecordSeparator, cancellationToken);
        // The handshake answer is its own frame: "{}" or {"error": "..."}.
        var answer = await ReadFramesAsync(socket, new StringBuilder(), cancellationToken);
        using var handshake = JsonDocument.Parse(answer[0]);
        if (handshake.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"Handshake refused: {error}");
        var client = new SignalRTestClient(socket);
        foreach (var frame in answer.Skip(1)) client.Dispatch(frame);
        return client;
    }

    /// <summary>Invokes a hub method and waits for its completion: the result, or a <see cref="HubErrorException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object?[] arguments)
    {
        var id = Interlocked.Increment(ref _nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var message = JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }, Json);
        await SendAsync(message);
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for the server to call <paramref name="target"/> with a first argument that satisfies <paramref name="match"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string target, Func<JsonElement, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var call = await _calls.Reader.ReadAsync(cts.Token);
                if (call.Target == target && call.Arguments.Length > 0 && match(call.Arguments[0])) return call.Arguments[0];
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No '{target}' call matched within {timeout.TotalSeconds:0} s (close error: {CloseError ?? "none"}).");
        }
    }

    /// <summary>Every call the server made that has not been waited for yet.</summary>
    public List<ServerCall> TakeReceived()
    {
        var calls = new List<ServerCall>();
        while (_calls.Reader.TryRead(out var call)) calls.Add(call);
        return calls;
    }

    private async Task ReceiveLoopAsync()
    {
        var partial = new StringBuilder();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                foreach (var frame in await ReadFramesAsync(_socket, partial, _stop.Token)) Dispatch(frame);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or InvalidOperationException)
        {
        }
        finally
        {
            foreach (var pending in _pending.Values) pending.TrySetException(new InvalidOperationException($"The connection closed ({CloseError ?? "no error"})."));
            _calls.Writer.TryComplete();
        }
    }

    private void Dispatch(string frame)
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1:
                var arguments = root.TryGetProperty("arguments", out var args) ? args.EnumerateArray().Select(a => a.Clone()).ToArray() : [];
                _calls.Writer.TryWrite(new ServerCall(root.GetProperty("target").GetString()!, arguments));
                break;
            case 3:
                if (!_pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var completion)) break;
                if (root.TryGetProperty("error", out var error)) completion.TrySetException(new HubErrorException(error.GetString()!));
                else completion.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                break;
            case 7:
                CloseError = root.TryGetProperty("error", out var closeError) ? closeError.GetString() : null;
                break;
        }
    }

    // Keeps the server's client timeout (30 s without a message) from closing a quiet connection.
    private async Task PingLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                await SendAsync("""{"type":6}""");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or InvalidOperationException)
        {
        }
    }

    private async Task SendAsync(string message)
    {
        await _sendGate.WaitAsync();
        try
        {
            await SendTextAsync(_socket, message + RecordSeparator, _stop.Token);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private static Task SendTextAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Reads WebSocket messages until at least one whole frame (ended by 0x1E) has arrived; keeps the rest in <paramref name="partial"/>.</summary>
    private static async Task<List<string>> ReadFramesAsync(ClientWebSocket socket, StringBuilder partial, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var frames = new List<string>();
        while (frames.Count == 0)
        {
            var bytes = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException("The server closed the WebSocket.");
                bytes.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            partial.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            var text = partial.ToString();
            var end = text.LastIndexOf(RecordSeparator);
            if (end < 0) continue;
            frames.AddRange(text[..end].Split(RecordSeparator));
            partial.Clear().Append(text[(end + 1)..]);
        }
        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Close our side; the receive loop ends when the server's close arrives (or when cancelled below).
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
        {
        }
        await _stop.CancelAsync();
        await Task.WhenAll(_receiving, _pinging);
        _socket.Dispose();
        _stop.Dispose();
        _sendGate.Dispose();
    }
}

/// <summary>A hub method's completion carried an error (e.g. a HubException's message).</summary>
public sealed class HubErrorException(string message) : Exception(message);
