namespace Relayguard.Operations;
internal static class AssemblyMarker;
