using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Recording;

/// <summary>
/// Streams the events of a recording, block by block, reusing its buffers: reading a delta allocates nothing (a
/// snapshot allocates its level arrays, which the event hands on). Catalog blocks extend <see cref="Catalog"/> and,
/// when a registry is given, register their markets before the events that use them.
/// </summary>
/// <remarks>
/// Anything wrong with the bytes — not a recording, a bad checksum, a value out of range, a file cut short — raises
/// <see cref="RecordingFormatException"/> naming the block and what was wrong; events before the damage were already
/// delivered, so a replay of a crashed recorder's file gets everything up to the crash.
/// </remarks>
public sealed class RecordingReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string _name;
    private readonly InstrumentRegistry? _registry;
    private byte[] _compressed = new byte[BrotliEncoder.GetMaxCompressedLength(RecordingWriter.BlockLength + 64)];
    private byte[] _raw = new byte[RecordingWriter.BlockLength + 64];
    private int _rawLength;
    private int _position;
    private long _lastReceived;
    private long _blockOffset;
    private int _blockIndex;
    private int _registeredEvents;
    private int _registeredMarkets;
    private bool _ended;

    /// <param name="stream">A recording, read from its current position.</param>
    /// <param name="name">How errors name the source (a file path).</param>
    /// <param name="registerInto">When given, markets are registered here as the catalog arrives, with the recorded ids.</param>
    public RecordingReader(Stream stream, string name = "recording", InstrumentRegistry? registerInto = null, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _name = name;
        _registry = registerInto;
        Span<byte> header = stackalloc byte[RecordingFormat.Magic.Length + 2];
        if (ReadFully(header) != header.Length || !header[..RecordingFormat.Magic.Length].SequenceEqual(RecordingFormat.Magic))
        {
            throw new RecordingFormatException($"{name} is not an ArbBot recording (its first bytes are not the recording magic).");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[RecordingFormat.Magic.Length..]);
        if (version != RecordingFormat.Version)
        {
            throw new RecordingFormatException($"{name} is recording format version {version}; this build reads version {RecordingFormat.Version}.");
        }
        _blockOffset = header.Length;
        // The catalog comes first, so Catalog is complete for the instruments of the first events before any is read.
        if (!ReadBlock()) return;
        if (_rawLength > 0) throw new RecordingFormatException($"{name}: the file starts with events before its catalog.");
    }

    public static RecordingReader Open(string path, InstrumentRegistry? registerInto = null) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan), path, registerInto);

    /// <summary>The instruments seen so far (everything up to the block being read).</summary>
    public RecordingCatalog Catalog { get; } = new();

    /// <summary>Events returned so far.</summary>
    public long EventsRead { get; private set; }

    /// <summary>Compressed bytes consumed so far (for progress against the file's length).</summary>
    public long BytesRead => _blockOffset;

    /// <summary>Gaps the recorder wrote (it fell behind and dropped events there), seen so far.</summary>
    public long Gaps { get; private set; }

    /// <summary>Events the recorder dropped in those gaps.</summary>
    public long EventsDropped { get; private set; }

    /// <summary>Raised when a catalog block after the first has been read (new markets, or the approved pairs changed).</summary>
    public event Action<RecordingCatalog>? CatalogExtended;

    /// <summary>Reads the next book event, skipping control records; false at the end of the recording.</summary>
    /// <exception cref="RecordingFormatException">The recording is damaged or cut short here.</exception>
    public bool TryRead(out RecordedBookEvent recorded)
    {
        while (TryReadEntry(out recorded, out var control))
        {
            if (control.Kind == RecordingControlKind.None) return true;
        }
        return false;
    }

    /// <summary>
    /// Reads the next entry: a book event (<paramref name="control"/> has kind None) or a control record (a gap, or
    /// where the hub ran work); false at the end of the recording.
    /// </summary>
    /// <exception cref="RecordingFormatException">The recording is damaged or cut short here.</exception>
    public bool TryReadEntry(out RecordedBookEvent recorded, out RecordingControl control)
    {
        while (_position >= _rawLength)
        {
            if (!ReadBlock())
            {
                recorded = default;
                control = default;
                return false;
            }
        }
        try
        {
            if ((_raw[_position] & RecordingFormat.ControlFlag) != 0)
            {
                recorded = default;
                control = DecodeControl();
                if (control.Kind == RecordingControlKind.Gap)
                {
                    Gaps++;
                    EventsDropped += control.Value;
                }
                return true;
            }
            recorded = Decode();
            control = default;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw Damaged($"an event does not decode ({ex.Message})", ex);
        }
        EventsRead++;
        return true;
    }

    private RecordingControl DecodeControl()
    {
        var header = _raw[_position++];
        var kind = (RecordingControlKind)(header & RecordingFormat.KindMask);
        if (kind is RecordingControlKind.None or > RecordingControlKind.LastOpportunityId || (header & ~(RecordingFormat.KindMask | RecordingFormat.ControlFlag)) != 0)
        {
            throw Damaged($"unknown control record {header}");
        }
        var received = _lastReceived + RecordingFormat.UnZigZag(ReadVarint());
        _lastReceived = received;
        var value = RecordingFormat.UnZigZag(ReadVarint());
        if (_position > _rawLength) throw Damaged("a control record runs past the end of its block");
        if (value < 0) throw Damaged($"control record value {value} is negative");
        return new RecordingControl(kind, value, received);
    }

    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }

    private RecordedBookEvent Decode()
    {
        var header = _raw[_position++];
        var kind = (BookEventKind)(header & RecordingFormat.KindMask);
        if (kind > BookEventKind.TickSize) throw Damaged($"unknown event kind {(int)kind}");
        var instrumentValue = ReadVarint();
        if (instrumentValue >= (ulong)Catalog.InstrumentCount) throw Damaged($"instrument {instrumentValue} is not in the catalog");
        var instrument = new InstrumentId((int)instrumentValue);
        var received = _lastReceived + RecordingFormat.UnZigZag(ReadVarint());
        _lastReceived = received;
        var venueTicks = (header & RecordingFormat.VenueTimeFlag) != 0 ? received - RecordingFormat.UnZigZag(ReadVarint()) : 0;
        var sequence = (header & RecordingFormat.SequenceFlag) != 0 ? RecordingFormat.UnZigZag(ReadVarint()) : 0;
        var side = (header & RecordingFormat.AskFlag) != 0 ? BookSide.Ask : BookSide.Bid;
        BookEvent e;
        switch (kind)
        {
            case BookEventKind.SetLevel:
            case BookEventKind.AddLevel:
                {
                    var price = ReadPrice();
                    var size = ReadDecimal();
                    e = new BookEvent { Kind = kind, Instrument = instrument, Side = side, Price = price, Size = size, Sequence = sequence, VenueUtcTicks = venueTicks };
                    break;
                }
            case BookEventKind.Snapshot:
                e = BookEvent.Snapshot(instrument, ReadLevels(), ReadLevels(), sequence, venueTicks);
                break;
            case BookEventKind.Clear:
            case BookEventKind.Stale:
                {
                    var reason = (StaleReason)_raw[_position++];
                    if (reason is StaleReason.None or > StaleReason.Bogus) throw Damaged($"stale reason {(int)reason} is not valid");
                    e = kind == BookEventKind.Clear ? BookEvent.Clear(instrument, reason) : BookEvent.Stale(instrument, reason);
                    break;
                }
            case BookEventKind.TickSize:
                {
                    var units = ReadVarint();
                    if (units > 10_000 || !TickSize.TryFromDecimal((int)units / (decimal)Price.Scale, out var tick)) throw Damaged($"tick size {units} units is not valid");
                    e = BookEvent.TickSizeChange(instrument, tick);
                    break;
                }
            default:
                e = BookEvent.Heartbeat(instrument);
                break;
        }
        if (_position > _rawLength) throw Damaged("an event runs past the end of its block");
        return new RecordedBookEvent(e, received);
    }

    private BookLevel[] ReadLevels()
    {
        var count = ReadVarint();
        // Each level takes at least two bytes: a larger count is damage, not a deep book.
        if (count > (ulong)(_rawLength - _position) / 2) throw Damaged($"a snapshot side claims {count} levels");
        if (count == 0) return [];
        var levels = new BookLevel[count];
        for (var i = 0; i < levels.Length; i++) levels[i] = new BookLevel(ReadPrice(), ReadDecimal());
        return levels;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Price ReadPrice()
    {
        var units = ReadVarint();
        if (units > Price.Scale) throw Damaged($"price {units} units is outside [0, 1]");
        return Price.FromUnits((int)units);
    }

    private decimal ReadDecimal()
    {
        var flags = _raw[_position++];
        var scale = (byte)(flags & 0x3F);
        if (scale > 28) throw Damaged($"decimal scale {scale} is out of range");
        var negative = (flags & 0x80) != 0;
        if ((flags & 0x40) == 0)
        {
            var mantissa = ReadVarint();
            return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, scale);
        }
        if (_position + 12 > _rawLength) throw Damaged("a decimal runs past the end of its block");
        var span = _raw.AsSpan(_position, 12);
        _position += 12;
        return new decimal(BinaryPrimitives.ReadInt32LittleEndian(span), BinaryPrimitives.ReadInt32LittleEndian(span[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(span[8..]), negative, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadVarint()
    {
        var raw = _raw;
        var p = _position;
        ulong value = raw[p++];
        if (value < 0x80)
        {
            _position = p;
            return value;
        }
        value &= 0x7F;
        var shift = 7;
        while (true)
        {
            if (shift > 63) throw Damaged("a varint is longer than 64 bits");
            ulong b = raw[p++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) break;
            shift += 7;
        }
        _position = p;
        return value;
    }

    /// <summary>Reads the next block; catalog blocks are absorbed. False at the end block.</summary>
    private bool ReadBlock()
    {
        if (_ended) return false;
        Span<byte> frame = stackalloc byte[RecordingFormat.FrameHeaderLength];
        var got = ReadFully(frame);
        if (got == 0) throw Damaged("the file ends without its end block (the recorder stopped before closing it)");
        if (got < frame.Length) throw Damaged("the file is cut short inside a block header");
        var type = frame[0];
        var rawLength = BinaryPrimitives.ReadInt32LittleEndian(frame[1..]);
        var compressedLength = BinaryPrimitives.ReadInt32LittleEndian(frame[5..]);
        var checksum = BinaryPrimitives.ReadUInt64LittleEndian(frame[9..]);
        if (type is not (RecordingFormat.CatalogBlock or RecordingFormat.EventsBlock or RecordingFormat.EndBlock)) throw Damaged($"unknown block type {type}");
        if (rawLength is < 0 or > RecordingFormat.MaxRawBlockLength) throw Damaged($"block length {rawLength} is out of range");
        if (compressedLength < 0 || compressedLength > BrotliEncoder.GetMaxCompressedLength(Math.Max(rawLength, 1))) throw Damaged($"compressed length {compressedLength} is out of range");
        if (_compressed.Length < compressedLength) _compressed = new byte[compressedLength];
        if (_raw.Length < rawLength) _raw = new byte[rawLength];
        if (ReadFully(_compressed.AsSpan(0, compressedLength)) < compressedLength) throw Damaged("the file is cut short inside a block");
        if (rawLength > 0)
        {
            if (!BrotliDecoder.TryDecompress(_compressed.AsSpan(0, compressedLength), _raw.AsSpan(0, rawLength), out var written) || written != rawLength)
            {
                throw Damaged("a block does not decompress");
            }
        }
        if (RecordingFormat.Checksum(_raw.AsSpan(0, rawLength)) != checksum) throw Damaged("a block fails its checksum");
        _blockOffset += frame.Length + compressedLength;
        _blockIndex++;
        _position = 0;
        _lastReceived = 0;
        switch (type)
        {
            case RecordingFormat.EndBlock:
                _rawLength = 0;
                _ended = true;
                return false;
            case RecordingFormat.CatalogBlock:
                Catalog.ReadFrom(_raw.AsSpan(0, rawLength), $"{_name}, block {_blockIndex}");
                if (_registry is not null)
                {
                    Catalog.RegisterInto(_registry, _registeredEvents, _registeredMarkets);
                    _registeredEvents = Catalog.Events.Count;
                    _registeredMarkets = Catalog.Markets.Count;
                }
                _rawLength = 0;
                if (_blockIndex > 1) CatalogExtended?.Invoke(Catalog);
                return true;
            default:
                _rawLength = rawLength;
                return true;
        }
    }

    private int ReadFully(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = _stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private RecordingFormatException Damaged(string what, Exception? inner = null) =>
        new($"{_name} is damaged at block {_blockIndex + 1} (byte {_blockOffset}), after {EventsRead} events: {what}.", inner);
}
