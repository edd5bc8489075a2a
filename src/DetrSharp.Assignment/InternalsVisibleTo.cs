using System.Runtime.CompilerServices;

// The tests drive every vector width of the solver directly, whatever the machine picks.
[assembly: InternalsVisibleTo("DetrSharp.Assignment.Tests")]
