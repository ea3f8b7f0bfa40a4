using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FediTracker.Protocol;

namespace FediTracker.Core.Registry;

/// <summary>
/// The node's in-memory mirror of the registry's access feed: the state of every registered or blocked hash, and
/// the valid passkey digests. Read on every announce without locks or allocation; written only by
/// <see cref="AccessSynchronizer"/>, which replays the feed in version order.
/// </summary>
public sealed class AccessList
{
    private readonly ConcurrentDictionary<InfoHash, AccessState> _hashes = new(Environment.ProcessorCount * 4, 1024);
    private readonly ConcurrentDictionary<Digest, byte> _passkeys = new();
    private long _version;

    /// <summary>The last feed version applied.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Hashes with a state (any but unknown).</summary>
    public int Count => _hashes.Count;

    /// <summary>Passkeys that are valid now.</summary>
    public int PasskeyCount => _passkeys.Count;

    public AccessState Get(in InfoHash hash) => _hashes.TryGetValue(hash, out var state) ? state : AccessState.Unknown;

    /// <summary>True when the passkey's SHA-256 digest is one of the valid ones. Allocation-free.</summary>
    public bool IsValidPasskey(ReadOnlySpan<byte> passkey)
    {
        if (passkey.IsEmpty || passkey.Length > 256 || _passkeys.IsEmpty)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(passkey, digest);
        return _passkeys.ContainsKey(Digest.Read(digest));
    }

    /// <summary>Applies a batch of the feed; entries at or below <see cref="Version"/> are skipped. Single writer.</summary>
    public void Apply(AccessChangeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var current = Version;
        foreach (var change in batch.Changes)
        {
            if (change.Version <= current)
            {
                continue;
            }

            if (change.PasskeyDigest is { } digest)
            {
                if (digest.Length != 32)
                {
                    continue;
                }

                if (change.PasskeyValid)
                {
                    _passkeys[Digest.Read(digest)] = 0;
                }
                else
                {
                    _passkeys.TryRemove(Digest.Read(digest), out _);
                }
            }
            else if (change.State == AccessState.Unknown)
            {
                _hashes.TryRemove(change.Hash, out _);
            }
            else
            {
                _hashes[change.Hash] = change.State;
            }
        }

        if (batch.LastVersion > current)
        {
            Volatile.Write(ref _version, batch.LastVersion);
        }
    }

    /// <summary>A SHA-256 digest as a value key.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Digest(ulong A, ulong B, ulong C, ulong D)
    {
        public static Digest Read(ReadOnlySpan<byte> source)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(source[..32]);
            return new Digest(words[0], words[1], words[2], words[3]);
        }
    }
}
