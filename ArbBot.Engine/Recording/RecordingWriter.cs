using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Recording;

/// <summary>
/// Encodes book events into one recording stream, synchronously: events are varint-packed into a 64 KiB block that
/// is Brotli-compressed and framed when full. Single-threaded; the hub never calls it directly (see
/// <see cref="BookEventRecorder"/>, which runs it on a background thread). Dispose writes the end block.
/// </summary>
public sealed class RecordingWriter : IDisposable
{
    /// <summary>Raw bytes gathered before a block is compressed and written.</summary>
    public const int BlockLength = 64 * 1024;

    // Room for the largest non-snapshot record, so the hot encode path checks space once per event.
    private const int MaxSimpleRecord = 64;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly int _quality;
    private byte[] _raw = new byte[BlockLength + MaxSimpleRecord];
    private byte[] _compressed = new byte[BrotliEncoder.GetMaxCompressedLength(BlockLength + MaxSimpleRecord)];
    private int _length;
    private long _lastReceived;
    private bool _disposed;

    /// <param name="stream">Where the recording goes; written from its current position.</param>
    /// <param name="catalog">The instruments the events refer to (written first).</param>
    /// <param name="quality">Brotli quality 0–11: low is fast (the default 1 keeps up with a live hub on one core).</param>
    public RecordingWriter(Stream stream, RecordingCatalog catalog, int quality = 1, bool ownsStream = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quality);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 11);
        _stream = stream;
        _ownsStream = ownsStream;
        _quality = quality;
        Span<byte> header = stackalloc byte[RecordingFormat.Magic.Length + 2];
        RecordingFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[RecordingFormat.Magic.Length..], RecordingFormat.Version);
        _stream.Write(header);
        WriteCatalog(catalog);
    }

    /// <summary>Events written so far.</summary>
    public long EventCount { get; private set; }

    /// <summary>Compressed bytes written to the stream so far (headers included).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Raw bytes waiting in the current block.</summary>
    public int PendingBytes => _length;

    /// <summary>Writes markets added since the catalog (before any event that uses them). Flushes the pending events first.</summary>
    public void WriteCatalog(RecordingCatalog catalog)
    {
        FlushBlock();
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) catalog.Write(writer);
        WriteFrame(RecordingFormat.CatalogBlock, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Appends one event. Work events are not market data and are refused.</summary>
    public void Write(in RecordedBookEvent recorded)
    {
        var e = recorded.Event;
        if (e.Kind == BookEventKind.Work) throw new ArgumentException("Work events are not market data and are not recorded.", nameof(recorded));
        if (e.Kind == BookEventKind.Snapshot)
        {
            // Up to 30 bytes per level (price varint and a decimal of up to 24), plus the fixed part.
            EnsureRoom(MaxSimpleRecord + 30 * ((e.Bids?.Length ?? 0) + (e.Asks?.Length ?? 0)));
        }
        var raw = _raw;
        var p = _length;
        var header = (int)e.Kind;
        if (e.Side == Core.BookSide.Ask) header |= RecordingFormat.AskFlag;
        if (e.Sequence != 0) header |= RecordingFormat.SequenceFlag;
        if (e.VenueUtcTicks != 0) header |= RecordingFormat.VenueTimeFlag;
        raw[p++] = (byte)header;
        p = WriteVarint(raw, p, (uint)e.Instrument.Value);
        p = WriteVarint(raw, p, RecordingFormat.ZigZag(recorded.ReceivedUtcTicks - _lastReceived));
        _lastReceived = recorded.ReceivedUtcTicks;
        if (e.VenueUtcTicks != 0) p = WriteVarint(raw, p, RecordingFormat.ZigZag(recorded.ReceivedUtcTicks - e.VenueUtcTicks));
        if (e.Sequence != 0) p = WriteVarint(raw, p, RecordingFormat.ZigZag(e.Sequence));
        switch (e.Kind)
        {
            case BookEventKind.SetLevel:
            case BookEventKind.AddLevel:
                p = WriteVarint(raw, p, (uint)e.Price.Units);
                p = WriteDecimal(raw, p, e.Size);
                break;
            case BookEventKind.Snapshot:
                p = WriteLevels(raw, p, e.Bids);
                p = WriteLevels(raw, p, e.Asks);
                break;
            case BookEventKind.Clear:
            case BookEventKind.Stale:
                raw[p++] = (byte)e.Reason;
                break;
            case BookEventKind.TickSize:
                p = WriteVarint(raw, p, (uint)e.Price.Units);
                break;
        }
        _length = p;
        EventCount++;
        if (_length >= BlockLength) FlushBlock();
    }

    /// <summary>Appends a control record (a gap, or where the hub ran work) at <paramref name="receivedUtcTicks"/>.</summary>
    public void WriteControl(RecordingControlKind kind, long value, long receivedUtcTicks)
    {
        if (kind == RecordingControlKind.None) throw new ArgumentException("A control record needs a kind.", nameof(kind));
        var raw = _raw;
        var p = _length;
        raw[p++] = (byte)((int)kind | RecordingFormat.ControlFlag);
        p = WriteVarint(raw, p, RecordingFormat.ZigZag(receivedUtcTicks - _lastReceived));
        _lastReceived = receivedUtcTicks;
        p = WriteVarint(raw, p, RecordingFormat.ZigZag(value));
        _length = p;
        if (_length >= BlockLength) FlushBlock();
    }

    /// <summary>Compresses and writes the pending events as one block (no-op when none are pending).</summary>
    public void FlushBlock()
    {
        if (_length == 0) return;
        WriteFrame(RecordingFormat.EventsBlock, _raw.AsSpan(0, _length));
        _length = 0;
        // Each block starts from absolute time so it decodes on its own.
        _lastReceived = 0;
    }

    /// <summary>Writes pending events and flushes the stream to storage.</summary>
    public void Flush()
    {
        FlushBlock();
        _stream.Flush();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            FlushBlock();
            WriteFrame(RecordingFormat.EndBlock, []);
            _stream.Flush();
        }
        finally
        {
            if (_ownsStream) _stream.Dispose();
        }
    }

    private void EnsureRoom(int bytes)
    {
        if (_length + bytes <= _raw.Length) return;
        FlushBlock();
        if (bytes > _raw.Length)
        {
            _raw = new byte[bytes];
            _compressed = new byte[BrotliEncoder.GetMaxCompressedLength(bytes)];
        }
    }

    private void WriteFrame(byte type, ReadOnlySpan<byte> raw)
    {
        var compressedLength = 0;
        if (raw.Length > 0)
        {
            if (_compressed.Length < BrotliEncoder.GetMaxCompressedLength(raw.Length)) _compressed = new byte[BrotliEncoder.GetMaxCompressedLength(raw.Length)];
            if (!BrotliEncoder.TryCompress(raw, _compressed, out compressedLength, _quality, 22))
            {
                throw new InvalidOperationException("Brotli could not compress a recording block.");
            }
        }
        Span<byte> frame = stackalloc byte[RecordingFormat.FrameHeaderLength];
        frame[0] = type;
        BinaryPrimitives.WriteInt32LittleEndian(frame[1..], raw.Length);
        BinaryPrimitives.WriteInt32LittleEndian(frame[5..], compressedLength);
        BinaryPrimitives.WriteUInt64LittleEndian(frame[9..], RecordingFormat.Checksum(raw));
        _stream.Write(frame);
        _stream.Write(_compressed, 0, compressedLength);
        BytesWritten += frame.Length + compressedLength;
    }

    private int WriteLevels(byte[] raw, int p, BookLevel[]? levels)
    {
        levels ??= [];
        p = WriteVarint(raw, p, (uint)levels.Length);
        foreach (var level in levels)
        {
            p = WriteVarint(raw, p, (uint)level.Price.Units);
            p = WriteDecimal(raw, p, level.Size);
        }
        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteVarint(byte[] raw, int p, ulong value)
    {
        while (value >= 0x80)
        {
            raw[p++] = (byte)(value | 0x80);
            value >>= 7;
        }
        raw[p++] = (byte)value;
        return p;
    }

    /// <summary>A decimal as [sign|scale] and its mantissa: a varint when it fits 64 bits (every real size does), else 12 raw bytes.</summary>
    private static int WriteDecimal(byte[] raw, int p, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var flags = bits[3];
        var scale = (byte)((flags >> 16) & 0xFF);
        var negative = flags < 0;
        var wide = bits[2] != 0;
        raw[p++] = (byte)(scale | (negative ? 0x80 : 0) | (wide ? 0x40 : 0));
        if (!wide) return WriteVarint(raw, p, ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(p), bits[0]);
        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(p + 4), bits[1]);
        BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(p + 8), bits[2]);
        return p + 12;
    }
}
