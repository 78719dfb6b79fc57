// The one place the UI imports its rendering library from: Preact with htm
// (tagged templates instead of JSX, so there is no build step).

import { h, render, Fragment, createContext } from "preact";
import htm from "htm";

export { h, render, Fragment, createContext };
export { useState, useEffect, useRef, useMemo, useCallback, useContext, useLayoutEffect } from "preact/hooks";
export const html = htm.bind(h);
