using System.ComponentModel.DataAnnotations;

namespace FediTracker.Federation.Keys;

/// <summary>Where the tracker actor's private key lives. Section <c>Federation:Key</c>.</summary>
public sealed class ActorKeyOptions
{
    public const string SectionName = "Federation:Key";

    /// <summary>Path of the PKCS#8 PEM private key, made on first start with mode 0600. <c>data/actor-key.pem</c> by default.</summary>
    [Required]
    public string PrivateKeyPath { get; set; } = "data/actor-key.pem";
}
