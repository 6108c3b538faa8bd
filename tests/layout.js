// What sticks out sideways on the page as drawn: the page wider than the window, an element of the main block whose
// right edge is past the window or past the box that clips or scrolls it, a data grid wider than its frame.
// Returns one line per problem (empty when the layout fits).
() => {
  const width = window.innerWidth;
  const slack = 1;  // sub-pixel rounding
  const strokeSlack = 4;  // a chart's strokes and glyphs at the plot's edge reach a little past its picture
  const problems = [];
  const name = (el) => {
    const id = el.getAttribute("data-testid");
    const cls = (el.getAttribute("class") || "").split(" ").filter((c) => c).slice(0, 2).join(".");
    const text = (el.innerText || el.getAttribute("aria-label") || "").trim().split("\n")[0].slice(0, 40);
    const chart = el.closest("svg") && el.closest("svg").getAttribute("aria-label");
    const where = chart ? ` in the chart "${chart.slice(0, 60)}"` : "";
    return `${el.tagName.toLowerCase()}${id ? `[${id}]` : ""}${cls ? `.${cls}` : ""}${text ? ` "${text}"` : ""}${where}`;
  };
  const page = document.documentElement.scrollWidth;
  if (page > width + slack) problems.push(`the page is ${page} px wide in a ${width} px window`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return ["no main block on the page"];
  const clips = (el) => getComputedStyle(el).overflowX !== "visible";
  const shown = (el) => {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0") return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  let reported = null;  // one line for an element and everything inside it
  for (const el of main.querySelectorAll("*")) {
    if (reported && reported.contains(el)) continue;
    if (!shown(el) || el.closest('[aria-hidden="true"]')) continue;
    // Inside a data grid the canvas draws the cells: the grid's own frame is checked below.
    if (el.closest(".stDataFrameGlideDataEditor, .dvn-scroller") && !el.matches("[data-testid=stDataFrame]")) continue;
    // A document's wide table scrolls sideways in its own box on a phone (ui/style.py): what it holds is reached by
    // scrolling it, so only the box itself must fit, and it is checked as any element is.
    const table = el.closest('[data-testid="stMarkdownContainer"] table');
    if (table && table !== el && getComputedStyle(table).overflowX === "auto") continue;
    const right = el.getBoundingClientRect().right;
    if (right > width + slack) {
      problems.push(`${name(el)} reaches ${Math.round(right)} px, past the ${width} px window`);
      reported = el;
      continue;
    }
    for (let box = el.parentElement; box && box !== main; box = box.parentElement) {
      if (!clips(box)) continue;
      const frame = box.getBoundingClientRect();
      const edge = frame.right;
      if (frame.width <= 1 || frame.height <= 1) break;  // a box that hides what it holds on purpose (a toggle's input)
      if (right > edge + (box.tagName.toLowerCase() === "svg" ? strokeSlack : slack)) {
        problems.push(`${name(el)} reaches ${Math.round(right)} px, past its frame ${name(box)} at ` +
                      `${Math.round(edge)} px`);
        reported = el;
      }
      break;
    }
  }
  // A data grid scrolls its cells sideways inside its frame: columns cut off at the frame's edge.
  for (const grid of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!shown(grid)) continue;
    const scroller = grid.querySelector(".dvn-scroller");
    if (scroller && scroller.scrollWidth > scroller.clientWidth + slack) {
      problems.push(`the table ${name(grid)} is ${scroller.scrollWidth} px wide in a ${scroller.clientWidth} px frame`);
    }
  }
  return problems;
}
