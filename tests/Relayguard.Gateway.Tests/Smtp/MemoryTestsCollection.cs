namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>Runs <see cref="MemoryTests"/> after the parallel tests and alone.</summary>
[CollectionDefinition(MemoryTests.Collection, DisableParallelization = true)]
public sealed class MemoryTestsCollection;
