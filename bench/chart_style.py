"""What the chart scripts of bench/ share: matplotlib without a display, SVG text kept as
text, no timestamp (the same input gives the same bytes), and saving."""
import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["svg.hashsalt"] = "strata"


def save(fig, ax, title, output):
    """Legend, title and layout, then writes output (SVG or PNG by its extension)."""
    ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(output, metadata={"Date": None} if output.endswith(".svg") else None)
    print(f"chart: {output}")
