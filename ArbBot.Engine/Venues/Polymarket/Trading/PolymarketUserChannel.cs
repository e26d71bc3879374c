using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Polymarket.Trading;

/// <summary>Receives the user channel's events. Called on the channel's reader; implementations must not block for long.</summary>
public interface IPolymarketUserEventSink
{
    /// <summary>The socket is open and subscribed (again): events missed while it was down must be fetched over REST.</summary>
    void OnConnected(int connection);

    /// <summary>The socket dropped; events may be missed until the next <see cref="OnConnected"/>.</summary>
    void OnDisconnected(string reason);

    /// <summary>An <c>order</c> event (PLACEMENT, UPDATE, CANCELLATION).</summary>
    void OnOrder(PolymarketOpenOrder order);

    /// <summary>A <c>trade</c> event (status MATCHED, MINED, CONFIRMED, RETRYING, FAILED).</summary>
    void OnTrade(PolymarketTrade trade);
}

/// <summary>
/// The CLOB's user WebSocket channel: subscribes with the L2 credentials (<c>{"auth":{apiKey,secret,passphrase},
/// "type":"user","markets":[]}</c>, every market of the account), sends the text <c>PING</c> keep-alive, hands
/// <c>order</c> and <c>trade</c> events (single or batched in an array) to the sink, and reconnects with jittered
/// exponential backoff after any drop, telling the sink so it can reconcile. A socket that says nothing (not even PONG)
/// for <see cref="PolymarketTradingOptions.SilenceTimeout"/> is presumed dead (half-open) and replaced.
/// </summary>
public sealed class PolymarketUserChannel
{
    private readonly PolymarketTradingOptions _options;
    private readonly PolymarketApiCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryDelays _delays;
    private int _connections;
    private volatile bool _connected;

    public PolymarketUserChannel(PolymarketTradingOptions options, PolymarketApiCredentials credentials, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _credentials = credentials;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _delays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay, random);
    }

    /// <summary>True while a subscribed socket is open.</summary>
    public bool IsConnected => _connected;

    /// <summary>Connections made so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Messages that could not be read (logged and skipped).</summary>
    public long UnreadableMessages { get; private set; }

    /// <summary>Keeps the channel connected until cancelled.</summary>
    public async Task RunAsync(IPolymarketUserEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                using var socket = new ClientWebSocket();
                using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    // A venue that takes the connection and never completes the handshake must not hold the channel for good.
                    connecting.CancelAfter(_options.SilenceTimeout);
                    try
                    {
                        await socket.ConnectAsync(_options.UserWebSocketUrl, connecting.Token).ConfigureAwait(false);
                        await SendTextAsync(socket, SubscribeMessage(), connecting.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new WebSocketException($"no connection within {_options.SilenceTimeout}");
                    }
                }
                _connected = true;
                failures = 0;
                sink.OnConnected(Interlocked.Increment(ref _connections));
                reason = await ReadAsync(socket, sink, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is WebSocketException or IOException or HttpRequestException)
            {
                reason = e.Message;
            }
            finally
            {
                _connected = false;
            }
            sink.OnDisconnected(reason);
            var delay = _delays.Next(failures++);
            _logger.LogWarning("Polymarket user channel closed ({Reason}); reconnecting in {Delay}", reason, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The subscribe message (it carries the secret: it is written to the socket only, never logged).</summary>
    internal string SubscribeMessage() => JsonSerializer.Serialize(new
    {
        auth = new { apiKey = _credentials.ApiKey, secret = _credentials.Secret.Reveal(), passphrase = _credentials.Passphrase.Reveal() },
        type = "user",
        markets = Array.Empty<string>(),
    });

    private async Task<string> ReadAsync(ClientWebSocket socket, IPolymarketUserEventSink sink, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heard = new Heard(_time.GetTimestamp());
        var pinging = PingAsync(socket, heard, stop, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(8192);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(8192), stop.Token).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                heard.At = _time.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close) return $"closed by the venue ({socket.CloseStatus})";
                Dispatch(buffer.WrittenSpan, sink);
            }
            return $"socket {socket.State}";
        }
        catch (OperationCanceledException) when (heard.Silent && !cancellationToken.IsCancellationRequested)
        {
            // Half-open: the socket looks open but nothing, not even a PONG, came back. Cancelling the receive aborted it.
            return $"nothing received for {_options.SilenceTimeout} (no PONG): connection presumed dead";
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await pinging.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                // The pinger stops with the socket.
            }
        }
    }

    /// <summary>Sends PING every interval and, when the venue has said nothing for <see cref="PolymarketTradingOptions.SilenceTimeout"/>, ends the read.</summary>
    private async Task PingAsync(ClientWebSocket socket, Heard heard, CancellationTokenSource stop, CancellationToken outer)
    {
        var token = stop.Token;
        while (!token.IsCancellationRequested && socket.State == WebSocketState.Open)
        {
            await Task.Delay(_options.PingInterval, _time, token).ConfigureAwait(false);
            if (_time.GetElapsedTime(heard.At) >= _options.SilenceTimeout && !outer.IsCancellationRequested)
            {
                heard.Silent = true;
                await stop.CancelAsync().ConfigureAwait(false);
                return;
            }
            await SendTextAsync(socket, "PING", token).ConfigureAwait(false);
        }
    }

    /// <summary>When the socket last brought anything (a <see cref="TimeProvider"/> timestamp), shared by the reader and the pinger.</summary>
    private sealed class Heard(long at)
    {
        private long _at = at;
        private volatile bool _silent;

        public long At
        {
            get => Interlocked.Read(ref _at);
            set => Interlocked.Exchange(ref _at, value);
        }

        public bool Silent
        {
            get => _silent;
            set => _silent = value;
        }
    }

    internal void Dispatch(ReadOnlySpan<byte> message, IPolymarketUserEventSink sink)
    {
        if (message.SequenceEqual("PONG"u8) || message.IsEmpty) return;
        try
        {
            using var doc = JsonDocument.Parse(message.ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in doc.RootElement.EnumerateArray()) DispatchOne(item, sink);
            }
            else
            {
                DispatchOne(doc.RootElement, sink);
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // One unreadable message must not take the channel down; the next reconciliation fills any gap it leaves.
            UnreadableMessages++;
            _logger.LogWarning("Polymarket user channel message skipped: {Problem}", e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A message no one foresaw (a null where an object belongs) must not take the channel down either.
            UnreadableMessages++;
            _logger.LogError(e, "Polymarket user channel message could not be handled; skipped, reconciliation will catch up");
        }
    }

    private static void DispatchOne(JsonElement element, IPolymarketUserEventSink sink)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("event_type", out var type)) return;
        switch (type.GetString())
        {
            case "order":
                sink.OnOrder(element.Deserialize<PolymarketOpenOrder>(PolymarketWire.Options) ?? throw new FormatException("empty order event"));
                break;
            case "trade":
                sink.OnTrade(element.Deserialize<PolymarketTrade>(PolymarketWire.Options) ?? throw new FormatException("empty trade event"));
                break;
        }
    }

    private static Task SendTextAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
