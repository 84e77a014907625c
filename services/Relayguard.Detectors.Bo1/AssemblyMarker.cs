namespace Relayguard.Detectors.Bo1;
internal static class AssemblyMarker;
