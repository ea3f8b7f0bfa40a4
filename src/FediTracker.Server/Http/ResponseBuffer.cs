using System.Buffers;

namespace FediTracker.Server.Http;

/// <summary>
/// A growable buffer writer reused per thread, for building a reply before its length is known. Use it only within
/// one synchronous stretch of code (no await between <see cref="Rent"/> and the last read of its bytes).
/// </summary>
internal sealed class ResponseBuffer : IBufferWriter<byte>
{
    [ThreadStatic]
    private static ResponseBuffer? t_cached;

    private byte[] _buffer = new byte[4096];
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public static ResponseBuffer Rent()
    {
        var buffer = t_cached ??= new ResponseBuffer();
        buffer._written = 0;
        return buffer;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
