using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Api;

/// <summary>The response of <c>GET /api/blocks/{kind}/{subject}</c>: every recorded block of one subject, newest first, with evidence.</summary>
public sealed record SubjectBlocks(string Kind, string Subject, bool Active, IReadOnlyList<BlockRecord> Blocks);
