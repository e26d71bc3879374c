using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArbBot.Engine.Recording;

/// <summary>
/// The recording file layout. A file is a magic string and a version, then framed blocks until an end block:
/// <c>[type:1][rawLength:4][compressedLength:4][checksum:8][Brotli bytes]</c>. Catalog blocks carry the instruments
/// (so a file replays without the venue), event blocks carry book events varint-encoded (delta timestamps), and the
/// end block says the writer closed the file: without it the file was cut short (a crash, a full disk).
/// </summary>
/// <remarks>
/// Blocks are compressed independently so the reader reuses two buffers and decodes with no allocation per event, and
/// a damaged block is detected by its checksum instead of decoding into nonsense.
/// </remarks>
public static class RecordingFormat
{
    /// <summary>"ARBREC" + format version 1.</summary>
    public static ReadOnlySpan<byte> Magic => "ARBREC\u0001\n"u8;

    public const ushort Version = 1;

    /// <summary>The extension of recording files.</summary>
    public const string FileExtension = ".abrec";

    internal const int FrameHeaderLength = 1 + 4 + 4 + 8;

    /// <summary>Largest raw block accepted when reading (the writer flushes at 64 KiB; this bounds a corrupt length).</summary>
    internal const int MaxRawBlockLength = 16 << 20;

    internal const byte CatalogBlock = 1;
    internal const byte EventsBlock = 2;
    internal const byte EndBlock = 0xFF;

    internal const int KindMask = 0x07;
    internal const int AskFlag = 0x08;
    internal const int SequenceFlag = 0x10;
    internal const int VenueTimeFlag = 0x20;

    /// <summary>
    /// Marks a control record rather than a book event: the kind bits then hold a <see cref="RecordingControlKind"/>,
    /// followed by the receive-time delta and one varint value (version 1 files never set it).
    /// </summary>
    internal const int ControlFlag = 0x40;

    /// <summary>A fast 64-bit checksum of a block's raw bytes (multiply-rotate over 8-byte words; not cryptographic).</summary>
    internal static ulong Checksum(ReadOnlySpan<byte> data)
    {
        const ulong Prime = 0x9E3779B97F4A7C15UL;
        var hash = 0xCBF29CE484222325UL ^ (ulong)data.Length;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(data[i..])) * Prime, 29);
        }
        for (; i < data.Length; i++) hash = BitOperations.RotateLeft((hash ^ data[i]) * Prime, 29);
        return hash;
    }

    /// <summary>A stable 32-bit tag of a hub work item's type (FNV-1a of its full name), so a replay can tell its own work from work it cannot reproduce.</summary>
    public static uint WorkTag(Type workType)
    {
        var hash = 2166136261u;
        foreach (var c in workType.FullName ?? workType.Name)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
