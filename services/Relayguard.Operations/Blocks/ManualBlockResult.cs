namespace Relayguard.Operations.Blocks;

/// <summary>A manual block as stored, and the active blocks of the same subject, code and scope that it replaced.</summary>
public sealed record ManualBlockResult(BlockRecord Block, IReadOnlyList<BlockRecord> Replaced);
