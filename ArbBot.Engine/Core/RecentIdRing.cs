using System.Runtime.CompilerServices;

namespace ArbBot.Engine.Core;

/// <summary>
/// A first-in-first-out memory of string ids (client order ids, fill ids), each with a time and a value, kept as values
/// in arrays: no object per id. Looked up by id; the oldest is forgotten first. Not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Why values: the desk remembers ids of finished orders and booked fills for hours (to recognise late and resent
/// fills). Kept as strings in dictionaries, every id is an object (and a node or entry pointing at it) that each
/// collection on the hub thread has to promote out of gen 0 and then mark in every gen 1 and gen 2; at the latency
/// harness's ~550 orders a second that was most of the ~2.4 MB each gen 0 promoted. Here an id's characters are copied
/// into a character array (up to <see cref="InlineChars"/>; a longer id is kept as its string in a side array), its
/// hash, time and value into parallel arrays, and the lookup is an open-addressing table of slot numbers: arrays of
/// values the collector neither traces nor, once they stop growing, copies.
/// </para>
/// <para>
/// Entries are numbered by a sequence (the first added is 0); <see cref="Oldest"/> and <see cref="Next"/> bound the
/// ones remembered. The owner decides when to forget (<see cref="ForgetOldest"/>): by age, by count, or both. The arrays
/// grow by doubling while everything added is remembered, so an owner with a small steady state never pays for its cap.
/// Lookups compare the whole id on a hash hit: two ids are never confused.
/// </para>
/// </remarks>
internal sealed class RecentIdRing<TValue> where TValue : unmanaged
{
    /// <summary>Ids up to this many characters are kept inline; longer ones as their string.</summary>
    public const int InlineChars = 40;

    private const byte LongId = byte.MaxValue;

    private int[] _hashes;
    private byte[] _lengths;
    private char[] _chars;
    private string?[]? _longIds;
    private long[] _times;
    private TValue[] _values;
    // Slot + 1 of each entry at its hash's place (linear probing); 0 is empty. At most half full.
    private int[] _table;
    private long _oldest;
    private long _next;

    /// <summary>Creates an empty memory that starts with room for <paramref name="initialSlots"/> ids and grows as needed.</summary>
    public RecentIdRing(int initialSlots = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSlots, 1);
        _hashes = new int[initialSlots];
        _lengths = new byte[initialSlots];
        _chars = new char[initialSlots * InlineChars];
        _times = new long[initialSlots];
        _values = new TValue[initialSlots];
        _table = new int[TableSizeFor(initialSlots)];
    }

    /// <summary>Ids remembered now.</summary>
    public int Count => (int)(_next - _oldest);

    /// <summary>The sequence of the oldest id remembered (equal to <see cref="Next"/> when none is).</summary>
    public long Oldest => _oldest;

    /// <summary>The sequence the next id added gets.</summary>
    public long Next => _next;

    /// <summary>Slots allocated now (grows by doubling; never shrinks).</summary>
    public int AllocatedSlots => _times.Length;

    /// <summary>True, with its sequence, when <paramref name="id"/> is remembered.</summary>
    public bool TryFind(ReadOnlySpan<char> id, out long sequence)
    {
        var hash = string.GetHashCode(id);
        var mask = _table.Length - 1;
        for (var at = hash & mask; ; at = (at + 1) & mask)
        {
            var entry = _table[at];
            if (entry == 0) break;
            var slot = entry - 1;
            if (_hashes[slot] == hash && IdEquals(slot, id))
            {
                sequence = SequenceOf(slot);
                return true;
            }
        }
        sequence = -1;
        return false;
    }

    /// <summary>
    /// Remembers <paramref name="id"/> (which must not be remembered already: look it up first) with
    /// <paramref name="timeTicks"/> and <paramref name="value"/>; returns its sequence.
    /// </summary>
    public long Add(string id, long timeTicks, TValue value)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (Count == _times.Length) Grow();
        var sequence = _next++;
        var slot = SlotOf(sequence);
        var hash = string.GetHashCode(id.AsSpan());
        _hashes[slot] = hash;
        if (id.Length <= InlineChars)
        {
            _lengths[slot] = (byte)id.Length;
            id.AsSpan().CopyTo(_chars.AsSpan(slot * InlineChars, InlineChars));
            if (_longIds is not null) _longIds[slot] = null;
        }
        else
        {
            _lengths[slot] = LongId;
            (_longIds ??= new string?[_times.Length])[slot] = id;
        }
        _times[slot] = timeTicks;
        _values[slot] = value;
        Insert(slot, hash);
        return sequence;
    }

    /// <summary>The time <paramref name="sequence"/> was added with (a remembered one).</summary>
    public long TimeOf(long sequence) => _times[SlotOf(Checked(sequence))];

    /// <summary>The value of <paramref name="sequence"/> (a remembered one), to read or change in place.</summary>
    public ref TValue ValueOf(long sequence) => ref _values[SlotOf(Checked(sequence))];

    /// <summary>The id of <paramref name="sequence"/> (a remembered one), as a new string: for messages, not lookups.</summary>
    public string IdOf(long sequence)
    {
        var slot = SlotOf(Checked(sequence));
        return _lengths[slot] == LongId ? _longIds![slot]! : new string(_chars, slot * InlineChars, _lengths[slot]);
    }

    /// <summary>Forgets the oldest id remembered (there must be one).</summary>
    public void ForgetOldest()
    {
        if (_oldest == _next) throw new InvalidOperationException("Nothing is remembered.");
        var slot = SlotOf(_oldest++);
        Remove(slot);
        if (_longIds is not null) _longIds[slot] = null;
    }

    private long Checked(long sequence)
    {
        if (sequence < _oldest || sequence >= _next) throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "Not remembered.");
        return sequence;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(long sequence) => (int)(sequence % _times.Length);

    private long SequenceOf(int slot)
    {
        // The remembered sequences are [_oldest, _next), fewer than the slots: exactly one of them maps to the slot.
        var length = _times.Length;
        var oldestSlot = (int)(_oldest % length);
        var offset = slot >= oldestSlot ? slot - oldestSlot : slot + length - oldestSlot;
        return _oldest + offset;
    }

    private bool IdEquals(int slot, ReadOnlySpan<char> id)
    {
        var length = _lengths[slot];
        if (length == LongId) return id.SequenceEqual(_longIds![slot]);
        return length == id.Length && id.SequenceEqual(_chars.AsSpan(slot * InlineChars, length));
    }

    private void Insert(int slot, int hash)
    {
        var mask = _table.Length - 1;
        var at = hash & mask;
        while (_table[at] != 0) at = (at + 1) & mask;
        _table[at] = slot + 1;
    }

    private void Remove(int slot)
    {
        var mask = _table.Length - 1;
        var at = _hashes[slot] & mask;
        while (_table[at] != slot + 1) at = (at + 1) & mask;
        // Backward-shift deletion: move later entries of the probe run into the hole when their home allows it.
        var hole = at;
        for (var next = (hole + 1) & mask; _table[next] != 0; next = (next + 1) & mask)
        {
            var home = _hashes[_table[next] - 1] & mask;
            // The entry at `next` may fill the hole when its home is not cyclically within (hole, next].
            var fits = hole <= next ? home <= hole || home > next : home <= hole && home > next;
            if (!fits) continue;
            _table[hole] = _table[next];
            hole = next;
        }
        _table[hole] = 0;
    }

    private void Grow()
    {
        var length = _times.Length;
        var grown = length * 2;
        var hashes = new int[grown];
        var lengths = new byte[grown];
        var chars = new char[grown * InlineChars];
        var longIds = _longIds is null ? null : new string?[grown];
        var times = new long[grown];
        var values = new TValue[grown];
        for (var sequence = _oldest; sequence < _next; sequence++)
        {
            var from = (int)(sequence % length);
            var to = (int)(sequence % grown);
            hashes[to] = _hashes[from];
            lengths[to] = _lengths[from];
            Array.Copy(_chars, from * InlineChars, chars, to * InlineChars, InlineChars);
            if (longIds is not null) longIds[to] = _longIds![from];
            times[to] = _times[from];
            values[to] = _values[from];
        }
        _hashes = hashes;
        _lengths = lengths;
        _chars = chars;
        _longIds = longIds;
        _times = times;
        _values = values;
        _table = new int[TableSizeFor(grown)];
        for (var sequence = _oldest; sequence < _next; sequence++)
        {
            var slot = (int)(sequence % grown);
            Insert(slot, _hashes[slot]);
        }
    }

    private static int TableSizeFor(int slots)
    {
        var size = 16;
        while (size < slots * 2) size *= 2;
        return size;
    }
}
