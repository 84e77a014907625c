namespace Relayguard.Operations;

/// <summary>Settings of the operations service, bound from the <c>Operations</c> configuration section.</summary>
public sealed class OperationsOptions
{
    public const string SectionName = "Operations";

    /// <summary>
    /// How long the sample addresses of a block's evidence are kept after the block ends (lifted, or expired),
    /// as a duration such as <c>90d</c>. Default <c>90d</c>.
    /// </summary>
    public string EvidenceRetention { get; set; } = "90d";
}
