using System.Security.Cryptography;
using System.Text;

namespace FediTracker.Storage.Redis;

/// <summary>
/// A Lua script with its SHA1 computed once, so a call sends EVALSHA with the 20-byte digest and the client never
/// hashes or looks up the script's text per call (the text, a few kilobytes, goes out only to load it again).
/// </summary>
internal sealed class RedisScript
{
    public RedisScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // SHA1 is what Redis names scripts by; nothing here depends on its strength.
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public string Text { get; }

    /// <summary>The SHA1 of <see cref="Text"/>, as EVALSHA takes it.</summary>
    public byte[] Hash { get; }
}
